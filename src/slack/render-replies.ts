import type { ListReply } from '../../commands/list.js';
import type { RefusalReply } from '../../commands/actor.js';
import { StoppingError } from '../../commands/operation-deps.js';
import { OfferRefusedError, type ClaimRefusal } from '../../commands/restore-offers.js';
import type { OperationError } from '../../services/operation-error.js';
import { BusyError } from '../../services/operation-lock.js';
import type { StatusReply } from '../../commands/status.js';
import { formatBytes, formatDuration, formatTime, printableInput } from '../format.js';
import { containerSummary, statusLines, VERDICT_EMOJI } from '../status-lines.js';

export const ACTION_BACKUP_NOW = 'backup_now';

/**
 * What a user typed, made safe to echo in a Slack message: control and bidi
 * characters escaped, cut to 80 characters (printableInput), and `&`, `<`, `>`
 * escaped as Slack asks, so that typed text never becomes a mention or a link.
 */
export function slackInput(text: string): string {
  return printableInput(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
export const ACTION_RESTORE = 'restore_backup';

/** Block Kit for `/odoo status`: the verdict on top, then containers and probes as fields, a context line with the time. */
export function renderStatus(reply: StatusReply, timeZone: string) {
  const s = reply.status;
  const headline = `${VERDICT_EMOJI[s.verdict]} *Odoo stack: ${s.verdict}*`;
  const reasons = s.reasons.map((r) => `• ${r}`).join('\n');
  const containerFields = s.containers.ok
    ? s.containers.value.map((c) => ({ type: 'mrkdwn' as const, text: `*Container ${c.service}*\n${containerSummary(c)}` }))
    : [{ type: 'mrkdwn' as const, text: `*Containers*\n:warning: ${s.containers.reason === 'timeout' ? 'unknown (timeout)' : `unknown (${s.containers.message})`}` }];
  const probeFields = statusLines(s, timeZone).map((l) => ({ type: 'mrkdwn' as const, text: `*${l.label}*\n${l.warn ? ':warning: ' : ''}${l.value}` }));
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: reasons ? `${headline}\n${reasons}` : headline } },
    { type: 'section', fields: containerFields },
    // A section holds at most 10 fields.
    { type: 'section', fields: probeFields.slice(0, 10) },
  ];
  if (reply.suggestBackup) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: ACTION_BACKUP_NOW, text: { type: 'plain_text', text: 'Back up now' }, value: 'backup' }] });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Checked ${formatTime(s.checkedAt, timeZone)} ${timeZone}` }] });
  const text = [`Odoo stack: ${s.verdict}`, ...s.reasons].join('\n');
  return { response_type: 'in_channel' as const, text, blocks };
}

/** Block Kit for `/odoo list`: one section per backup with a "Restore…" button. */
export function renderList(reply: ListReply, timeZone: string) {
  const warnings = reply.unreachable.map((u) => `:warning: ${u.location} could not be listed: ${u.message}`);
  if (reply.backups.length === 0) {
    const text = [...warnings, 'No backups yet.'].join('\n');
    return { response_type: 'in_channel' as const, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const more = reply.total > reply.backups.length ? ` (the newest ${reply.backups.length} of ${reply.total})` : '';
  const head = [`*Backups*${more}, newest first`, ...warnings].join('\n');
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: head } }];
  reply.backups.forEach((b, i) => {
    const age = formatDuration((reply.now.getTime() - b.createdAt.getTime()) / 1000);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${b.name}*\n${formatTime(b.createdAt, timeZone)} ${timeZone} · ${age} ago · ${formatBytes(b.sizeBytes)} · ${b.locations.join(' + ')}${reply.drilled.includes(b.name) ? ' · :white_check_mark: drill passed' : ''}` },
      accessory: { type: 'button', action_id: `${ACTION_RESTORE}:${i}`, text: { type: 'plain_text', text: 'Restore…' }, value: b.name },
    });
  });
  const text = [`Backups${more}:`, ...reply.backups.map((b) => `${b.name} (${formatBytes(b.sizeBytes)}, ${b.locations.join('+')})`)].join('\n');
  return { response_type: 'in_channel' as const, text, blocks };
}

const REFUSED_WHAT: Record<string, string> = {
  backup: 'start a backup',
  restore: 'restore a backup',
  import: 'import a database',
  drill: 'run a restore drill',
  prune: 'prune backups',
};

/** Ephemeral refusal naming who may do it. */
export function renderRefusal(refusal: RefusalReply) {
  const who = refusal.admins.map((id) => `<@${id}>`).join(', ');
  const text = `Only the administrators of odoo-ops may ${REFUSED_WHAT[refusal.command] ?? `run \`/odoo ${refusal.command}\``}: ${who}. Ask one of them.`;
  return { response_type: 'ephemeral' as const, replace_original: false, text };
}

/** Ephemeral failure notice: a short reference to find the full error in the bot's log, never the error itself. */
export function renderFailure(ref: string) {
  return {
    response_type: 'ephemeral' as const,
    replace_original: false,
    text: `:x: Something went wrong on my side. Reference \`${ref}\` — the details are in the bot's log.`,
  };
}

/**
 * Any reply made safe to send: every secret (raw or JSON-escaped) and anything
 * shaped like a Slack token removed from its text and blocks. Every answer of
 * the listeners goes through it, status and list included.
 */
export function redactMessage<M>(message: M, redact: (text: string) => string): M {
  if (message === undefined || message === null) return message;
  // The redactor knows secrets' JSON-escaped form, and its replacement is JSON-safe.
  return JSON.parse(redact(JSON.stringify(message))) as M;
}

/** Ephemeral plain notice (e.g. a feature not in this build). */
export function renderNotice(text: string) {
  return { response_type: 'ephemeral' as const, replace_original: false, text };
}

/** Why a press on an offer changed nothing, said plainly. */
export function renderClaimRefusal(claim: ClaimRefusal): string {
  const again = claim.offer?.kind === 'import' ? `/odoo import ${claim.offer.name}` : `/odoo restore ${claim.offer?.name ?? '<name>'}`;
  switch (claim.reason) {
    case 'unknown':
      return 'This restore offer is not known to the bot (it was restarted since). Nothing was changed; run `/odoo restore <name>` again.';
    case 'expired':
      return `This restore offer expired (offers last 10 minutes). Nothing was changed; run \`${again}\` again.`;
    case 'used':
      return `This restore offer was already confirmed by <@${claim.by}>; it works once. Nothing else was started.`;
    case 'cancelled':
      return `This restore offer was cancelled by <@${claim.by}>. Nothing was changed.`;
  }
}

/**
 * Ephemeral answer to a backup or a confirmed offer that did not start: busy
 * (with its holder), the bot stopping, a refused offer, or another error.
 * A restore's offer stays open when it can still be confirmed.
 */
export function renderNotStarted(what: 'backup' | 'restore', error: OperationError, redact: (text: string) => string) {
  if (error instanceof BusyError) {
    return renderNotice(what === 'backup' ? `Busy: ${redact(error.who)}. Try again when it has finished.` : `Busy: ${redact(error.who)}. The offer stays open; press Restore again when it has finished.`);
  }
  if (error instanceof StoppingError) return renderNotice(what === 'backup' ? 'The bot is restarting; try again in a minute.' : 'The bot is restarting; press Restore again in a minute.');
  if (error instanceof OfferRefusedError) return renderNotice(renderClaimRefusal(error.claim));
  return renderNotice(
    what === 'backup'
      ? `:x: The backup cannot start: ${redact(error.userMessage)}. Nothing was changed.`
      : `:x: The restore cannot start: ${redact(error.userMessage)}. Nothing was changed; the offer stays open.`,
  );
}
