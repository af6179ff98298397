import type { Alert, AlertSink } from '../../commands/alert-sink.js';
import { renderBackupOutcome, renderOverdue, type SlackMessage } from './render-backup.js';
import { renderDrillOutcome } from './render-drill.js';
import { renderSyncFailing, renderSyncRecovered } from './render-sync.js';
import type { ChannelNotifier } from './slack-notifier.js';

/** One alert as the Slack message for SLACK_ALERT_CHANNEL, and what it is about (for a "not delivered" log line). */
export function renderAlert(alert: Alert, redact: (text: string) => string): { message: SlackMessage; about: string } {
  switch (alert.kind) {
    case 'backup':
      return { message: renderBackupOutcome(alert.outcome, { trigger: alert.trigger, redact }), about: 'scheduled backup' };
    case 'drill':
      return { message: renderDrillOutcome(alert.reply, alert.trigger, redact), about: 'scheduled drill' };
    case 'overdue':
      return { message: renderOverdue(alert.verdict, alert.newest), about: 'overdue alert' };
    case 'sync-failing':
      return { message: renderSyncFailing(alert.failures, redact(alert.cause)), about: 'sync failing' };
    case 'sync-recovered':
      return { message: renderSyncRecovered(alert.failures), about: 'sync recovered' };
  }
}

/** The Slack alert sink: posts every alert to the notifier's channel (SLACK_ALERT_CHANNEL), retried through outages by SlackNotifier. */
export function slackAlertSink(notifier: ChannelNotifier, redact: (text: string) => string): AlertSink {
  return {
    alert: async (alert) => {
      const { message, about } = renderAlert(alert, redact);
      await notifier.post(message, about);
    },
  };
}
