import cron, { type ScheduledTask } from 'node-cron';
import type { AlertSink } from './alert-sink.js';
import { backupCommand } from './backup.js';
import { drillCommand, type DrillReply } from './drill.js';
import { syncCommand, type SyncReply } from './sync.js';
import { splitFutureDated } from '../services/backup/backup-name.js';
import { overdueVerdict } from '../services/backup/backup-schedule.js';
import type { BackupOutcome } from '../services/backup/run-backup.js';
import type { Services } from '../services/services.js';
import { listBackups } from '../services/storage/backup-catalog.js';
import type { Logger } from '../src/logger.js';
import type { RunningOperations } from '../src/running-operations.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Failed sync passes in a row before the channel is told: a blip of R2 is retried quietly, an outage is not. */
const SYNC_FAILURES_BEFORE_ALERT = 3;

export interface SchedulerOptions {
  /** How often to check for overdue backups (hourly). */
  overdueCheckEveryMs?: number;
  now?: () => Date;
  /** Tracks scheduled backups so that the bot can stop cleanly; a run is skipped once it is stopping. */
  operations?: RunningOperations;
}

/**
 * The scheduled jobs, decided here for every surface: runs a backup on
 * BACKUP_SCHEDULE and a restore drill on DRILL_SCHEDULE (in TZ) and hands
 * every result to the alert sink (Slack's alert channel, Discord's, or both); checks at start and hourly
 * whether backups are overdue and then posts "backups are overdue" at most
 * once a day until one succeeds.
 */
export class BackupScheduler {
  private task: ScheduledTask | null = null;
  private drillTask: ScheduledTask | null = null;
  private overdueTimer: NodeJS.Timeout | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  /** Passes of the attachment store sync that failed in a row, and whether the channel was told. */
  private syncFailures = 0;
  private syncAlerted = false;
  private lastOverdueAlert: Date | null = null;
  private readonly watchingSince: Date;
  private readonly now: () => Date;

  constructor(
    private readonly services: Services,
    private readonly alerts: AlertSink,
    private readonly logger: Logger,
    private readonly redact: (text: string) => string,
    private readonly options: SchedulerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.watchingSince = this.now();
  }

  start(): void {
    const { schedule, timeZone } = this.services.settings;
    this.task = cron.createTask(schedule, () => this.onSchedule(), { timezone: timeZone, noOverlap: true, name: 'scheduled-backup' });
    void this.task.start();
    const { drillSchedule } = this.services.settings;
    if (drillSchedule) {
      this.drillTask = cron.createTask(drillSchedule, () => this.onDrillSchedule(), { timezone: timeZone, noOverlap: true, name: 'restore-drill' });
      void this.drillTask.start();
    }
    void this.checkOverdue();
    this.overdueTimer = setInterval(() => void this.checkOverdue(), this.options.overdueCheckEveryMs ?? HOUR);
    const { syncIntervalSeconds } = this.services.settings;
    if (this.services.attachmentStore && syncIntervalSeconds) {
      // One pass at a time: a slow pass delays the next rather than overlapping it.
      const tick = () => {
        this.syncTimer = setTimeout(() => void this.runSync().finally(() => this.syncTimer !== null && tick()), syncIntervalSeconds * 1000);
      };
      tick();
    }
    this.logger.info({ schedule, drillSchedule: drillSchedule ?? null, timeZone }, 'scheduler started');
  }

  async stop(): Promise<void> {
    if (this.overdueTimer) clearInterval(this.overdueTimer);
    this.overdueTimer = null;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    await this.task?.destroy();
    this.task = null;
    await this.drillTask?.destroy();
    this.drillTask = null;
  }

  /** The cron job: a scheduled backup, tracked so that the bot can stop cleanly; skipped once it is stopping. */
  private async onSchedule(): Promise<void> {
    const operations = this.options.operations;
    const running = operations ? operations.run((signal) => this.runScheduledBackup(signal)) : this.runScheduledBackup();
    if (!running) this.logger.warn({ trigger: 'schedule' }, 'scheduled backup skipped: the bot is stopping');
    await running;
  }

  /** The scheduled job: a backup, its result posted to the alert channel. `signal` cancels it cleanly. */
  async runScheduledBackup(signal?: AbortSignal): Promise<BackupOutcome> {
    this.logger.info({ trigger: 'schedule' }, 'scheduled backup started');
    const outcome = await backupCommand(this.services, { startedBy: 'schedule', signal });
    if (outcome.ok) {
      this.lastOverdueAlert = null;
      this.logger.info({ trigger: 'schedule', name: outcome.name, sizeBytes: outcome.sizeBytes, durationMs: outcome.durationMs }, 'scheduled backup succeeded');
    } else {
      this.logger.error({ trigger: 'schedule', stage: outcome.error.stage, err: outcome.error, localArchive: outcome.localArchive }, 'scheduled backup failed');
    }
    await this.alerts.alert({ kind: 'backup', outcome, trigger: 'scheduled' });
    return outcome;
  }

  /** The drill's cron job, tracked like a scheduled backup; skipped once the bot is stopping. */
  private async onDrillSchedule(): Promise<void> {
    const operations = this.options.operations;
    const running = operations ? operations.run(() => this.runScheduledDrill()) : this.runScheduledDrill();
    if (!running) this.logger.warn({ trigger: 'schedule' }, 'scheduled drill skipped: the bot is stopping');
    await running;
  }

  /** The scheduled restore drill (newest backup, from R2 when configured): its result, passed or not, posted to the alert channel. */
  async runScheduledDrill(): Promise<DrillReply> {
    this.logger.info({ trigger: 'schedule' }, 'scheduled drill started');
    const reply = await drillCommand(this.services, { startedBy: 'schedule' });
    if (reply.ok && reply.result.passed) this.logger.info({ trigger: 'schedule', backup: reply.result.backup, restoreMs: reply.result.restoreMs }, 'scheduled drill passed');
    else if (reply.ok) this.logger.error({ trigger: 'schedule', backup: reply.result.backup, failure: reply.result.failure }, 'scheduled drill failed');
    else this.logger.error({ trigger: 'schedule', stage: reply.error.stage, err: reply.error }, 'scheduled drill could not run');
    await this.alerts.alert({ kind: 'drill', reply, trigger: 'scheduled' });
    return reply;
  }

  /**
   * One pass of the attachment store sync (every ATTACHMENT_SYNC_INTERVAL).
   * After SYNC_FAILURES_BEFORE_ALERT failed passes in a row the alert channel
   * is told once, with the cause; the first good pass after that says so.
   */
  async runSync(): Promise<SyncReply> {
    const reply = await syncCommand(this.services);
    const failed = !reply.ok || reply.result.failed.length > 0;
    if (!failed) {
      if (this.syncAlerted) await this.alerts.alert({ kind: 'sync-recovered', failures: this.syncFailures });
      this.syncFailures = 0;
      this.syncAlerted = false;
      return reply;
    }
    this.syncFailures += 1;
    const cause = reply.ok ? reply.warnings.join('; ') : reply.error.userMessage;
    this.logger.warn({ failures: this.syncFailures, cause: this.redact(cause) }, 'attachment sync failed');
    if (this.syncFailures >= SYNC_FAILURES_BEFORE_ALERT && !this.syncAlerted) {
      this.syncAlerted = true;
      await this.alerts.alert({ kind: 'sync-failing', failures: this.syncFailures, cause: this.redact(cause) });
    }
    return reply;
  }

  /** Posts the overdue alert when due; returns whether backups are overdue. */
  async checkOverdue(): Promise<boolean> {
    try {
      const { backups } = await listBackups(this.services.backends, this.services.settings.timeZone);
      const now = this.now();
      // A name dated in the future is no proof of a recent backup (status says so).
      const newest = splitFutureDated(backups, now).past[0] ?? null;
      const verdict = overdueVerdict(newest?.createdAt ?? null, this.watchingSince, now, this.services.settings.schedule, this.services.settings.timeZone);
      if (!verdict.overdue) {
        this.lastOverdueAlert = null;
        return false;
      }
      if (!this.lastOverdueAlert || now.getTime() - this.lastOverdueAlert.getTime() >= DAY) {
        this.lastOverdueAlert = now;
        this.logger.warn({ newest: newest?.name ?? null, ageMs: verdict.ageMs, thresholdMs: verdict.thresholdMs }, 'backups are overdue');
        await this.alerts.alert({ kind: 'overdue', verdict, newest: newest?.name ?? null });
      }
      return true;
    } catch (error) {
      this.logger.error({ err: error }, 'overdue check failed');
      return false;
    }
  }
}
