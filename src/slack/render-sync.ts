import type { SlackMessage } from './render-backup.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** The alert when the attachment store sync keeps failing: new attachments are then protected only by the next full backup. */
export function renderSyncFailing(failures: number, cause: string): SlackMessage {
  const text = `:rotating_light: Attachment sync is failing (${failures} passes in a row): ${cause}. New attachments are not in R2 until it recovers; check R2 with \`odoo-ops doctor\`, or run \`odoo-ops sync\`.`;
  return { text, blocks: [section(text)] };
}

/** Said once, after a failing sync passes again. */
export function renderSyncRecovered(failures: number): SlackMessage {
  const text = `:white_check_mark: Attachment sync recovered after ${failures} failed passes; the attachment store is up to date.`;
  return { text, blocks: [section(text)] };
}
