import { planRestore, restoreCommand } from '../../commands/restore.js';
import { asOperationError } from '../../services/operation-error.js';
import { LockBusy, type HeldLock } from '../../services/operation-lock.js';
import type { RestoreOutcome, RestoreStage } from '../../services/restore/run-restore.js';
import type { Services } from '../../services/services.js';
import type { Logger } from '../logger.js';
import type { RunningOperations } from '../running-operations.js';
import { channelNotifier } from './operation-request.js';
import { renderNotice } from './render-replies.js';
import { renderRestoreCancelled, renderRestoreOffer, renderRestoreOutcome, renderRestoreProgress } from './render-restore.js';
import type { Claim, RestoreOffers } from './restore-offers.js';
import type { OperationOutcome, OperationRequest, RestorePress } from './slack-deps.js';
import type { ChannelNotifier } from './slack-notifier.js';
import { ThrottledMessage } from './throttled-message.js';

export interface SlackRestoreDeps {
  services: Services;
  /** Posts in SLACK_ALERT_CHANNEL. */
  alerts: ChannelNotifier & { channel: string };
  logger: Logger;
  redact: (text: string) => string;
  offers: RestoreOffers;
  /** Tracks the restore so that the bot can stop cleanly (see RunningOperations). */
  operations?: RunningOperations;
}

/** Why a press on an offer changed nothing, said plainly. */
function refusedClaim(claim: Extract<Claim, { ok: false }>): string {
  switch (claim.reason) {
    case 'unknown':
      return 'This restore offer is not known to the bot (it was restarted since). Nothing was changed; run `/odoo restore <name>` again.';
    case 'expired':
      return `This restore offer expired (offers last 10 minutes). Nothing was changed; run \`/odoo restore ${claim.offer!.name}\` again.`;
    case 'used':
      return `This restore offer was already confirmed by <@${claim.by}>; it works once. Nothing else was started.`;
    case 'cancelled':
      return `This restore offer was cancelled by <@${claim.by}>. Nothing was changed.`;
  }
}

/**
 * `startRestore` (`/odoo restore <name>`, the "Restore…" button of the list),
 * called for admins only: checks the name and that a store holds the backup,
 * then posts the offer with its Restore and Cancel buttons in the channel.
 * Starts nothing: the restore starts only from the offer's confirmed button.
 */
export function slackRestoreOfferer(deps: SlackRestoreDeps): (request: OperationRequest & { name: string }) => Promise<OperationOutcome> {
  return async (request) => {
    const planned = await planRestore(deps.services, request.name, { safetyBackup: false, withAddons: false }, { readLabel: true });
    if (!planned.ok) {
      await request.reply(renderNotice(`:x: ${deps.redact(planned.error.userMessage)}. The backups are in \`/odoo list\`.`));
      return { started: false };
    }
    // The plan's name: the archive's, also when the request named its folder.
    const offer = deps.offers.create(planned.plan.backup.name, request.userId, request.channelId);
    const message = renderRestoreOffer(planned.plan, offer, deps.services.settings.timeZone);
    try {
      offer.ts = (await request.postMessage({ channel: request.channelId, ...message })).ts ?? null;
    } catch (error) {
      request.logger.warn({ err: error, channel: request.channelId }, 'restore offer not posted');
      await request.reply(
        renderNotice(`I cannot post in this channel (${(error as { data?: { error?: string } }).data?.error ?? 'error'}): invite me (\`/invite @odoo-ops\`) or ask in <#${deps.alerts.channel}>.`),
      );
    }
    return { started: false };
  };
}

/**
 * The offer's Restore button, pressed by an admin (checked before): takes the
 * operation lock first, so "busy" (another operation runs) leaves the offer
 * usable; refuses an expired, used or cancelled offer; otherwise claims the
 * offer and runs the restore in the background under that lock, following it
 * in the offer message.
 */
export function slackRestoreConfirmer(deps: SlackRestoreDeps): (press: RestorePress) => Promise<OperationOutcome> {
  return async (press) => {
    let lock: HeldLock;
    try {
      lock = await deps.services.lock.acquire('restore', `<@${press.userId}>`);
    } catch (error) {
      await press.reply(
        renderNotice(
          error instanceof LockBusy
            ? `Busy: ${deps.redact(error.who)}. The offer stays open; press Restore again when it has finished.`
            : `:x: The restore cannot start: ${deps.redact(asOperationError('lock', error).userMessage)}. Nothing was changed; the offer stays open.`,
        ),
      );
      return { started: false };
    }
    const claim = deps.offers.claim(press.offerId, 'used', press.userId);
    if (!claim.ok) {
      await lock.release();
      await press.reply(renderNotice(refusedClaim(claim)));
      return { started: false };
    }
    const run = (signal?: AbortSignal, critical?: (inside: boolean) => void) =>
      runSlackRestore(deps, press, claim.offer.name, lock, { signal, critical }).finally(() => lock.release());
    const running = deps.operations ? deps.operations.run(run) : run();
    if (!running) {
      await lock.release();
      deps.offers.reopen(press.offerId);
      await press.reply(renderNotice('The bot is restarting; press Restore again in a minute.'));
      return { started: false };
    }
    void running.catch((error) => deps.logger.error({ err: error, user: press.userId }, 'slack restore crashed'));
    return { started: true };
  };
}

/** The offer's Cancel button: closes the offer (once) and says so in its message. */
export function slackRestoreCanceller(deps: SlackRestoreDeps): (press: RestorePress) => Promise<void> {
  return async (press) => {
    const claim = deps.offers.claim(press.offerId, 'cancelled', press.userId);
    if (!claim.ok) {
      await press.reply(renderNotice(refusedClaim(claim)));
      return;
    }
    const message = renderRestoreCancelled(claim.offer.name, press.userId);
    if (press.messageTs) await channelNotifier(press).update(press.messageTs, message, 'restore cancelled');
  };
}

/**
 * A confirmed restore, under `heldLock` (released by the caller): the offer message follows the stages (at most one
 * update a second) and ends with the result, the duration and Odoo's downtime;
 * the alert channel gets the result too when the offer was elsewhere.
 */
export async function runSlackRestore(
  deps: SlackRestoreDeps,
  press: RestorePress,
  name: string,
  heldLock: HeldLock,
  stopping: { signal?: AbortSignal; critical?: (inside: boolean) => void } = {},
): Promise<RestoreOutcome> {
  const message = new ThrottledMessage(channelNotifier(press), 'restore progress');
  const done = new Set<RestoreStage>();
  if (press.messageTs) message.adopt(press.messageTs);
  message.update(renderRestoreProgress(name, press.userId, done, 'verify'));
  deps.logger.info({ user: press.userId, channel: press.channelId, name, withAddons: press.withAddons }, 'slack restore started');
  const outcome = await restoreCommand(deps.services, {
    name,
    startedBy: `<@${press.userId}>`,
    options: { safetyBackup: false, withAddons: press.withAddons },
    heldLock,
    onProgress: (p) => {
      // From the switch on, stopping the bot waits for the restore to end.
      if (p.stage === 'switch' && p.state === 'started') stopping.critical?.(true);
      if (p.state === 'done') done.add(p.stage);
      message.update(renderRestoreProgress(name, press.userId, done, p.state === 'started' ? p.stage : null));
    },
  });
  const result = renderRestoreOutcome(outcome, { name, userId: press.userId, redact: deps.redact });
  await message.finish(result);
  if (press.channelId !== deps.alerts.channel) await deps.alerts.post(result, 'restore result');
  if (outcome.ok) deps.logger.info({ user: press.userId, name, durationMs: outcome.durationMs, downtimeMs: outcome.downtimeMs }, 'slack restore succeeded');
  else deps.logger.error({ user: press.userId, name, stage: outcome.error.stage, err: outcome.error, liveUntouched: outcome.liveUntouched }, 'slack restore failed');
  return outcome;
}
