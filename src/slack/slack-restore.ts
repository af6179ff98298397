import { slackActor } from '../../commands/actor.js';
import type { OperationDeps } from '../../commands/operation-deps.js';
import type { Reporter } from '../../commands/reporter.js';
import { cancelOffer, confirmRestore, offerRestore, type RestoreOffer, type RestoreOffers } from '../../commands/restore-offers.js';
import type { RestoreOutcome, RestoreProgress, RestoreStage } from '../../services/restore/run-restore.js';
import { channelNotifier } from './operation-request.js';
import { renderClaimRefusal, renderNotice, renderNotStarted } from './render-replies.js';
import { renderRestoreCancelled, renderRestoreOffer, renderRestoreOutcome, renderRestoreProgress } from './render-restore.js';
import type { OperationOutcome, OperationRequest, RestorePress } from './slack-deps.js';
import type { ChannelNotifier } from './slack-notifier.js';
import { ThrottledMessage } from './throttled-message.js';

export interface SlackRestoreDeps extends OperationDeps {
  /** Posts in SLACK_ALERT_CHANNEL. */
  alerts: ChannelNotifier & { channel: string };
  redact: (text: string) => string;
  offers: RestoreOffers;
}

/**
 * `startRestore` (`/odoo restore <name>`, the "Restore…" button of the list),
 * called for admins only: commands/restore-offers.ts offerRestore, then posts
 * the offer with its Restore and Cancel buttons in the channel. Starts nothing.
 */
export function slackRestoreOfferer(deps: SlackRestoreDeps): (request: OperationRequest & { name: string }) => Promise<OperationOutcome> {
  return async (request) => {
    const offered = await offerRestore(deps, slackActor(request.userId), request.name, request.channelId);
    if (!offered.ok) {
      await request.reply(renderNotice(`:x: ${deps.redact(offered.error.userMessage)}. The backups are in \`/odoo list\`.`));
      return { started: false };
    }
    const { offer, plan } = offered;
    const message = renderRestoreOffer(plan, offer, deps.services.settings.timeZone);
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

/** The offer's Restore button, pressed by an admin (checked before): commands/restore-offers.ts confirmRestore with a Slack reporter. */
export function slackRestoreConfirmer(deps: SlackRestoreDeps): (press: RestorePress) => Promise<OperationOutcome> {
  return (press) =>
    confirmRestore(
      deps,
      slackActor(press.userId),
      press.offerId,
      { withAddons: press.withAddons },
      (offer) => slackRestoreReporter(deps, press, offer),
      async (error) => {
        await press.reply(renderNotStarted('restore', error, deps.redact));
      },
    );
}

/** The offer's Cancel button: closes the offer (once) and says so in its message. */
export function slackRestoreCanceller(deps: SlackRestoreDeps): (press: RestorePress) => Promise<void> {
  return async (press) => {
    const claim = cancelOffer(deps.offers, slackActor(press.userId), press.offerId);
    if (!claim.ok) {
      await press.reply(renderNotice(renderClaimRefusal(claim)));
      return;
    }
    const message = renderRestoreCancelled(claim.offer.name, press.userId);
    if (press.messageTs) await channelNotifier(press).update(press.messageTs, message, 'restore cancelled');
  };
}

/**
 * The Slack reporter of a confirmed restore: the offer message follows the
 * stages (at most one update a second) and ends with the result, the duration
 * and Odoo's downtime; the alert channel gets the result too when the offer
 * was elsewhere.
 */
export function slackRestoreReporter(deps: SlackRestoreDeps, press: RestorePress, offer: RestoreOffer): Reporter<RestoreProgress, RestoreOutcome> {
  const { name } = offer;
  const message = new ThrottledMessage(channelNotifier(press), 'restore progress');
  const done = new Set<RestoreStage>();
  return {
    started: async () => {
      if (press.messageTs) message.adopt(press.messageTs);
      message.update(renderRestoreProgress(name, press.userId, done, 'verify'));
    },
    progress: (p) => {
      if (p.state === 'done') done.add(p.stage);
      message.update(renderRestoreProgress(name, press.userId, done, p.state === 'started' ? p.stage : null));
    },
    finished: async (outcome) => {
      const result = renderRestoreOutcome(outcome, { name, userId: press.userId, redact: deps.redact });
      await message.finish(result);
      if (press.channelId !== deps.alerts.channel) await deps.alerts.post(result, 'restore result');
    },
    failed: async (error) => {
      await press.reply(renderNotStarted('restore', error, deps.redact));
    },
  };
}
