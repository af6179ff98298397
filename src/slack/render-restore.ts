import type { RestorePlan } from '../../commands/restore.js';
import type { RestoreOutcome, RestoreStage } from '../../services/restore/run-restore.js';
import { formatBytes, formatDuration, formatTime, previousDataSentence } from '../format.js';
import type { SlackMessage } from './render-backup.js';
import type { RestoreOffer } from '../../commands/restore-offers.js';

export const ACTION_RESTORE_CONFIRM = 'restore_confirm';
export const ACTION_RESTORE_CANCEL = 'restore_cancel';
export const ACTION_RESTORE_ADDONS = 'restore_addons';
export const BLOCK_RESTORE_OFFER = 'restore_offer';
export const WITH_ADDONS = 'with-addons';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const where = (locations: string[]) => locations.map((l) => (l === 'r2' ? 'R2' : 'local disk')).join(' and ');

/**
 * The restore offer: what the backup is and what it replaces, a checkbox for
 * the addons, a **Restore** button (danger, with a confirm dialog naming the
 * database) and **Cancel**. Both buttons carry the offer's id.
 */
export function renderRestoreOffer(plan: RestorePlan, offer: RestoreOffer, timeZone: string): SlackMessage {
  const { backup, database } = plan;
  const taken = plan.takenAt ? `taken ${formatTime(plan.takenAt, timeZone)} ${timeZone} (${formatDuration((plan.now.getTime() - plan.takenAt.getTime()) / 1000)} ago)` : '';
  const text = [
    `:warning: *Restore ${backup.name}?* (asked by <@${offer.requestedBy}>)`,
    `${taken} · ${formatBytes(backup.sizeBytes)} · in ${where(backup.locations)}`,
    `It replaces the live database *${database}* and its filestore. The archive is verified first, the copy is built while Odoo keeps serving, Odoo is down only for the switch (seconds), with automatic rollback, and the data it served until then is archived right after.`,
    ...(plan.archiveDatabase && plan.archiveDatabase !== database
      ? [`:warning: This is an archive of the database *${plan.archiveDatabase}*, not *${database}*: its data would replace *${database}*.`]
      : []),
  ].join('\n');
  const blocks = [
    section(text),
    {
      type: 'actions',
      block_id: BLOCK_RESTORE_OFFER,
      elements: [
        {
          type: 'checkboxes',
          action_id: ACTION_RESTORE_ADDONS,
          options: [{ text: { type: 'mrkdwn', text: 'Also restore the custom addons (they usually live in git)' }, value: WITH_ADDONS }],
        },
        {
          type: 'button',
          action_id: ACTION_RESTORE_CONFIRM,
          style: 'danger',
          text: { type: 'plain_text', text: 'Restore' },
          value: offer.id,
          confirm: {
            title: { type: 'plain_text', text: `Replace ${database}?`.slice(0, 100) },
            text: { type: 'mrkdwn', text: `This replaces the live database *${database}* and its filestore with *${backup.name}*. The current state is kept as \`${database}_before_…\` and archived right after the switch, with every write made meanwhile.` },
            confirm: { type: 'plain_text', text: 'Restore' },
            deny: { type: 'plain_text', text: 'Go back' },
            style: 'danger',
          },
        },
        { type: 'button', action_id: ACTION_RESTORE_CANCEL, text: { type: 'plain_text', text: 'Cancel' }, value: offer.id },
      ],
    },
    context(`Only administrators can confirm. This offer works once and expires at ${formatTime(new Date(offer.expiresAt), timeZone)} ${timeZone} (10 minutes).`),
  ];
  return { text: `Restore ${backup.name}? It replaces the database ${database}.`, blocks };
}

const SHOWN_STAGES: RestoreStage[] = ['fetch', 'verify', 'safety-backup', 'restore-database', 'restore-filestore', 'restore-addons', 'switch', 'archive-previous'];

/** The offer message while the restore runs: who confirmed, the stages done and the current one. */
export function renderRestoreProgress(name: string, userId: string, done: Set<RestoreStage>, current: RestoreStage | null): SlackMessage {
  const steps = SHOWN_STAGES.filter((s) => done.has(s) || s === current || !['fetch', 'restore-addons'].includes(s))
    .map((stage) => (done.has(stage) ? `~${stage}~ :white_check_mark:` : stage === current ? `*${stage}* :hourglass_flowing_sand:` : stage))
    .join('  ·  ');
  return { text: `Restoring ${name} (confirmed by <@${userId}>)`, blocks: [section(`:hourglass_flowing_sand: *Restoring ${name}* (confirmed by <@${userId}>)\n${steps}`)] };
}

/** The end of a restore: the result, the total duration and Odoo's downtime; or the stage that failed, and whether anything changed. */
export function renderRestoreOutcome(outcome: RestoreOutcome, how: { name: string; userId: string; redact: (text: string) => string }): SlackMessage {
  if (outcome.ok) {
    const lines = [
      `:white_check_mark: *Restore succeeded*: ${outcome.name} is now the live database *${outcome.database}* (confirmed by <@${how.userId}>)`,
      `Took ${formatDuration(outcome.durationMs / 1000)} · Odoo was down ${(outcome.downtimeMs / 1000).toFixed(1)} s · verified ${outcome.checksummed ? 'by checksums' : 'for integrity only (old archive, no manifest.json)'}`,
      `${outcome.safetyBackup ? `Safety backup: ${outcome.safetyBackup} · ` : ''}addons ${outcome.addonsRestored ? 'restored' : 'left as they were'}`,
    ];
    const previous = previousDataSentence(outcome);
    if (previous) lines.push(previous);
    for (const warning of outcome.warnings) lines.push(`:warning: ${how.redact(warning)}`);
    return { text: `Restore succeeded: ${outcome.name}`, blocks: [section(lines.join('\n'))] };
  }
  const lines = [
    `:rotating_light: *Restore FAILED* at stage *${outcome.error.stage}*: ${how.name} (confirmed by <@${how.userId}>)`,
    how.redact(outcome.error.userMessage),
    `Took ${formatDuration(outcome.durationMs / 1000)} · Odoo was down ${outcome.downtimeMs === null ? 'never' : `${(outcome.downtimeMs / 1000).toFixed(1)} s`}`,
  ];
  for (const check of outcome.checks?.filter((c) => !c.ok) ?? []) lines.push(`• ${check.check}: ${how.redact(check.detail)}`);
  if (outcome.liveUntouched) lines.push('The live database, filestore and Odoo were not touched.');
  if (outcome.safetyBackup) lines.push(`Safety backup taken: ${outcome.safetyBackup}`);
  return { text: `Restore FAILED at stage ${outcome.error.stage}: ${how.redact(outcome.error.userMessage)}`, blocks: [section(lines.join('\n'))] };
}

/** The offer message after Cancel. */
export function renderRestoreCancelled(name: string, userId: string): SlackMessage {
  return { text: `Restore of ${name} cancelled`, blocks: [section(`:no_entry_sign: Restore of ${name} cancelled by <@${userId}>. Nothing was changed.`)] };
}
