import type { BackupOutcome } from '../services/backup/run-backup.js';
import type { OverdueVerdict } from '../services/backup/backup-schedule.js';
import type { DrillReply } from './drill.js';

/** What the scheduled jobs tell the people watching the bot, as values; each sink renders them. */
export type Alert =
  | { kind: 'backup'; outcome: BackupOutcome; trigger: 'scheduled' }
  | { kind: 'drill'; reply: DrillReply; trigger: 'scheduled' }
  | { kind: 'overdue'; verdict: OverdueVerdict; newest: string | null }
  | { kind: 'sync-failing'; failures: number; cause: string }
  | { kind: 'sync-recovered'; failures: number };

/**
 * Where alerts go: Slack posts them to SLACK_ALERT_CHANNEL, Discord to its
 * alert channel. A sink renders the alert (redacting secrets) and delivers it,
 * retrying as its service allows; it never throws: what it cannot deliver it logs.
 */
export interface AlertSink {
  alert(alert: Alert): Promise<void>;
}

/** Several sinks as one: every alert goes to each, in parallel; one failing does not stop the others. */
export function alertSinks(sinks: readonly AlertSink[]): AlertSink {
  return {
    alert: async (alert) => {
      await Promise.allSettled(sinks.map((sink) => sink.alert(alert)));
    },
  };
}
