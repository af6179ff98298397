import { judgeDrills, type DrillStatus } from '../drill/drill-status.js';
import { readDrillRecord } from '../drill/drill-record.js';
import type { AttachmentStore, StoreStatus } from '../attachment-store/attachment-store.js';
import { readdir, stat, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { execInContainer } from '../docker/exec-in-container.js';
import { OperationError } from '../operation-error.js';
import { isStopped, type ContainerState, type StackContainers } from '../docker/stack-containers.js';
import { listBackups } from '../storage/backup-catalog.js';
import type { Location, StorageBackend } from '../storage/storage-backend.js';
import { ProbeTimeout, runProbe, ServiceDown, withDeadline, type ProbeResult } from './run-probe.js';
import { backupOverdueAfterMs, scheduleRuns } from '../backup/backup-schedule.js';
import { readRestoreState, type RestoreState } from './restore-state.js';
import { lastCleanup, type CleanupRecord } from '../cleanup/remove-leftovers.js';
import { futureDatedWarning, splitFutureDated } from '../backup/backup-name.js';
import { foreignBackups, foreignWritersWarning, writerIdentity } from '../storage/foreign-writers.js';
import { describeFetchError } from './describe-fetch-error.js';

export type Verdict = 'healthy' | 'degraded' | 'down';

export interface ContainerStatus extends ContainerState {
  /** Seconds since the container started; null when it is not running. */
  uptimeSeconds: number | null;
}

export interface LastBackup {
  name: string;
  createdAt: Date;
  ageSeconds: number;
  sizeBytes: number;
  locations: Location[];
  /** Older than the schedule allows (longest gap between runs plus an hour of grace). */
  overdue: boolean;
}

export type R2Status = { state: 'local-only' } | { state: 'reachable' } | { state: 'unreachable' | 'timeout'; message: string };

export interface StackStatus {
  checkedAt: Date;
  verdict: Verdict;
  /** Why the verdict is not `healthy`, one short sentence each, worst first. */
  reasons: string[];
  /** The odoo and db services, in that order; a missing container has state `missing`. */
  containers: ProbeResult<ContainerStatus[]>;
  odoo: ProbeResult<{ ok: boolean; latencyMs: number; httpStatus: number }>;
  databaseSizeBytes: ProbeResult<number>;
  filestoreSizeBytes: ProbeResult<number>;
  /** Null when no backup dated in the past exists anywhere. */
  lastBackup: ProbeResult<LastBackup | null>;
  /** Backups whose name is dated in the future (FUTURE_TOLERANCE_MS): never the last backup; a warning. */
  futureDated?: { name: string; locations: Location[] }[];
  /** Backups only R2 holds that another server wrote under the same bucket and prefix. */
  foreignWriters?: string[];
  nextRun: Date | null;
  disk: ProbeResult<{ path: string; freeBytes: number; totalBytes: number }>;
  r2: R2Status;
  /** A restore's switch not settled, or a failed switch-back awaiting a person. */
  restore?: ProbeResult<RestoreState>;
  /** The last cleanup of killed runs' leftovers that removed anything (BACKUP_DIR's record), or null. */
  lastCleanup?: CleanupRecord | null;
  /** Restore drills (services/drill/drill-status.ts): degraded when none passed within two DRILL_SCHEDULE intervals. */
  lastDrill?: DrillStatus;
  /** The attachment store (issue 15): absent without R2; degraded when its lag passes `lagThresholdSeconds`. */
  attachmentStore?: ProbeResult<(StoreStatus & { lagThresholdSeconds: number }) | null>;
}

/**
 * When the store lags too far (status degraded, the bot's alert): ten sync
 * intervals. One slow pass (a large upload) is normal; ten intervals without
 * catching up means syncs are failing or cannot keep up.
 */
export function storeLagThresholdSeconds(syncIntervalSeconds = 60): number {
  return 10 * syncIntervalSeconds;
}

export interface StatusServiceOptions {
  stack: StackContainers;
  /** Local first, then R2 when configured. */
  backends: readonly StorageBackend[];
  database: string;
  databaseUser: string;
  databasePassword?: string;
  odooUrl: string;
  odooDataDir: string;
  backupDir: string;
  schedule: string;
  timeZone: string;
  /** The attachment store, when R2 is configured. */
  attachmentStore?: AttachmentStore | null;
  /** ATTACHMENT_SYNC_INTERVAL (the store's lag threshold is ten of them). */
  syncIntervalSeconds?: number;
  /** DRILL_SCHEDULE: without it no drill line is shown. */
  drillSchedule?: string;
  /** Deadline of each probe; about 2 s so that the whole answer fits Slack's 3 s. */
  probeTimeoutMs?: number;
}

const LOW_DISK_RATIO = 0.1;

/**
 * Health of the Odoo stack, as seen from the bot. Read-only: it inspects
 * containers, calls Odoo's `/web/health`, runs one `SELECT` in the db
 * container, walks the filestore, lists the backup stores and reads the free
 * space of BACKUP_DIR. Every probe runs concurrently under its own deadline.
 */
export class StatusService {
  private readonly timeoutMs: number;
  private inFlight: Promise<StackStatus> | null = null;

  constructor(private readonly options: StatusServiceOptions) {
    this.timeoutMs = options.probeTimeoutMs ?? 2000;
  }

  /**
   * Runs every probe at once and judges the result. Never rejects: a probe that
   * fails or hangs shows up as `{ ok: false }` and in `reasons`. Takes at most
   * about `probeTimeoutMs` plus the docker inspection of a paused container.
   * Callers that ask while a check is running share its result (single flight):
   * ten people typing `/odoo status` at once cost one round of `docker exec`,
   * and the answer they get is at most one probe round (about 2 s) old.
   */
  check(now: () => Date = () => new Date()): Promise<StackStatus> {
    if (!this.inFlight) {
      this.inFlight = this.runChecks(now).finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async runChecks(now: () => Date): Promise<StackStatus> {
    const o = this.options;
    const t = this.timeoutMs;
    const filestoreDir = join(o.odooDataDir, 'filestore', o.database);
    const [containers, odoo, databaseSizeBytes, filestoreSizeBytes, backups, disk, restore, cleanup, store, drills] = await Promise.all([
      runProbe(() => this.containers(now()), t),
      runProbe(() => this.odooHealth(), t),
      runProbe(() => this.databaseSize(), t),
      runProbe(() => directorySize(join(o.odooDataDir, 'filestore', o.database)), t),
      // Each store is listed under the deadline on its own, so a hanging R2 hides neither the local backups nor the verdict.
      runProbe(() => listBackups(o.backends.map((b) => withListDeadline(b, t - 100)), o.timeZone), t),
      runProbe(() => freeDisk(o.backupDir), t),
      runProbe(() => readRestoreState(o.backupDir), t),
      runProbe(() => lastCleanup(o.backupDir), t),
      o.attachmentStore
        ? // Never synced from here (no local index): null, not a bucket listing that would write the index.
          runProbe(async () => ((await o.attachmentStore!.everSynced()) ? { ...(await o.attachmentStore!.status(filestoreDir)), lagThresholdSeconds: storeLagThresholdSeconds(o.syncIntervalSeconds) } : null), t)
        : Promise.resolve(undefined),
      o.drillSchedule ? runProbe(() => readDrillRecord(o.backupDir), t) : Promise.resolve(undefined),
    ]);
    const checkedAt = now();
    let nextRun: Date | null = null;
    let longestGapMs = Infinity;
    try {
      const runs = scheduleRuns(o.schedule, o.timeZone, checkedAt);
      nextRun = runs.next;
      longestGapMs = runs.longestGapMs;
    } catch {
      // validated at startup; an expression node-cron cannot expand leaves "next run" unknown
    }

    let lastBackup: ProbeResult<LastBackup | null>;
    let futureDated: StackStatus['futureDated'] = [];
    let foreignWriters: string[] = [];
    let r2: R2Status = { state: 'local-only' };
    if (!backups.ok) {
      lastBackup = backups;
      if (o.backends.some((b) => b.location === 'r2')) r2 = { state: backups.reason === 'timeout' ? 'timeout' : 'unreachable', message: backups.message };
    } else {
      // A name dated in the future (a wrong clock, another server's copy) would otherwise look 0 s old forever.
      const { past, future } = splitFutureDated(backups.value.backups, checkedAt);
      futureDated = future.map((b) => ({ name: b.name, locations: b.locations }));
      const newest = past[0];
      const ageMs = newest ? checkedAt.getTime() - newest.createdAt.getTime() : 0;
      lastBackup = {
        ok: true,
        value: newest
          ? {
              name: newest.name,
              createdAt: newest.createdAt,
              ageSeconds: Math.max(0, Math.round(ageMs / 1000)),
              sizeBytes: newest.sizeBytes,
              locations: newest.locations,
              overdue: ageMs > backupOverdueAfterMs(longestGapMs),
            }
          : null,
      };
      if (o.backends.some((b) => b.location === 'r2')) {
        const failed = backups.value.unreachable.find((u) => u.location === 'r2');
        r2 = failed ? { state: failed.message.includes('no answer within') ? 'timeout' : 'unreachable', message: failed.message } : { state: 'reachable' };
      }
      const localFailed = backups.value.unreachable.find((u) => u.location === 'local');
      if (localFailed) lastBackup = { ok: false, reason: 'error', message: `BACKUP_DIR: ${localFailed.message}` };
      // Backups only R2 holds: another server writing under the same prefix? (Asked only when there are some.)
      const r2Backend = o.backends.find((b) => b.location === 'r2');
      if (r2Backend && r2.state === 'reachable' && backups.value.backups.some((b) => b.locations.length === 1 && b.locations[0] === 'r2')) {
        const target = { stack: o.stack, dbService: o.stack.scope.dbService, user: o.databaseUser, database: o.database, password: o.databasePassword };
        const found = await runProbe(async () => foreignBackups(r2Backend, backups.value.backups, await writerIdentity(target)), t);
        if (found.ok) foreignWriters = found.value;
      }
    }

    // Drills are due since backups exist: "no drill passed within two intervals" counts from the oldest backup
    // dated in the past (the CLI has no long-running watch to count from; a fresh install is not stale).
    let lastDrill: DrillStatus | undefined;
    if (o.drillSchedule && drills?.ok) {
      const oldest = backups.ok ? splitFutureDated(backups.value.backups, checkedAt).past.at(-1)?.createdAt : undefined;
      try {
        lastDrill = judgeDrills(drills.value, { schedule: o.drillSchedule, timeZone: o.timeZone, watchingSince: oldest ?? checkedAt, now: checkedAt });
      } catch {
        // validated at startup
      }
    }
    const partial = {
      checkedAt, containers, odoo, databaseSizeBytes, filestoreSizeBytes, lastBackup, futureDated, foreignWriters, nextRun, disk, r2, restore,
      lastCleanup: cleanup.ok ? cleanup.value : null,
      ...(store ? { attachmentStore: store } : {}),
      ...(lastDrill ? { lastDrill } : {}),
    };
    const { verdict, reasons } = judge(partial, o);
    return { ...partial, verdict, reasons };
  }

  private async containers(now: Date): Promise<ContainerStatus[]> {
    const { odooService, dbService } = this.options.stack.scope;
    const found = await this.options.stack.list().catch((error: unknown) => {
      // The scope is ambiguous (several stacks): reporting either one's containers could be the wrong stack's.
      if (error instanceof OperationError) throw new ServiceDown(error.userMessage);
      throw error;
    });
    return [odooService, dbService].map((service) => {
      const c = found.find((s) => s.service === service);
      if (!c) return { service, id: '', name: '', image: '', state: 'missing', health: 'none', startedAt: null, restartCount: 0, uptimeSeconds: null };
      const uptimeSeconds = c.startedAt ? Math.max(0, Math.round((now.getTime() - Date.parse(c.startedAt)) / 1000)) : null;
      return { ...c, uptimeSeconds };
    });
  }

  private async odooHealth(): Promise<{ ok: boolean; latencyMs: number; httpStatus: number }> {
    const started = performance.now();
    const url = new URL('/web/health', this.options.odooUrl);
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'manual' });
      body = await response.text();
    } catch (error) {
      // The cause (refused, unknown host, reset), as doctor names it, not undici's "fetch failed".
      throw new Error(describeFetchError(error, this.timeoutMs));
    }
    const latencyMs = Math.round(performance.now() - started);
    let pass = false;
    try {
      pass = (JSON.parse(body) as { status?: string }).status === 'pass';
    } catch {
      // not JSON: not Odoo's health endpoint
    }
    return { ok: response.status === 200 && pass, latencyMs, httpStatus: response.status };
  }

  private async databaseSize(): Promise<number> {
    const o = this.options;
    const db: Docker.Container = await o.stack.container(o.stack.scope.dbService);
    // Through the db container's own psql: no database port needs to be reachable from the bot.
    const result = await execInContainer(db, ['psql', '-U', o.databaseUser, '-d', o.database, '-AtX', '-c', 'select pg_database_size(current_database())'], {
      env: o.databasePassword ? [`PGPASSWORD=${o.databasePassword}`] : undefined,
    }).catch((error: { statusCode?: number }) => {
      // Docker refuses an exec into a paused or stopped container at once (HTTP 409) with a long message naming the container id.
      if (error.statusCode === 409) throw new ServiceDown('cannot query: the db container is paused or stopped');
      throw error;
    });
    if (result.exitCode !== 0) throw new Error(`psql exited with ${result.exitCode}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
    const size = Number(result.stdout.trim());
    if (!Number.isFinite(size)) throw new Error('psql did not print a size');
    return size;
  }
}

function withListDeadline(backend: StorageBackend, timeoutMs: number): StorageBackend {
  return Object.assign(Object.create(backend) as StorageBackend, {
    list: () => withDeadline(backend.list(), timeoutMs, `${backend.location} listing`),
  });
}

/** Total size of the regular files under `dir`; 0 when it does not exist yet (a fresh Odoo). */
async function directorySize(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let total = 0;
  // Bounded fan-out: a filestore holds many thousands of files.
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  for (let i = 0; i < files.length; i += 64) {
    const sizes = await Promise.all(files.slice(i, i + 64).map((f) => stat(f).then((s) => s.size, () => 0)));
    total += sizes.reduce((a, b) => a + b, 0);
  }
  return total;
}

/** Free space of the file system holding `dir` (its nearest existing parent when it does not exist yet). */
async function freeDisk(dir: string): Promise<{ path: string; freeBytes: number; totalBytes: number }> {
  let path = resolve(dir);
  for (;;) {
    try {
      const s = await statfs(path);
      return { path: resolve(dir), freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(path) === path) throw error;
      path = dirname(path);
    }
  }
}

const describeProbe = (what: string, p: ProbeResult<unknown>) =>
  p.ok ? '' : p.reason === 'timeout' ? `${what}: unknown (timeout)` : `${what}: ${p.message}`;

/**
 * The verdict: `down` when Odoo cannot serve users (a container not running,
 * `/web/health` failing, the database refusing queries because its container is paused or stopped), `degraded` when it serves but something needs
 * attention (unhealthy healthcheck, a probe without answer, no or an overdue
 * backup, a backup dated in the future, R2 unreachable, less than 10 % disk free), `healthy` otherwise.
 */
export function judge(s: Omit<StackStatus, 'verdict' | 'reasons'>, o: { database: string }): { verdict: Verdict; reasons: string[] } {
  const down: string[] = [];
  const degraded: string[] = [];
  if (s.restore?.ok) {
    const { switch: pending, attention } = s.restore.value;
    if (pending?.state === 'interrupted') {
      down.push(`the restore of ${pending.restore} was interrupted in its switch: run any odoo-ops command (or restart the bot) to finish or roll it back`);
    }
    if (attention) down.push(`${attention.message} (then delete ${attention.path})`);
  }
  if (s.containers.ok) {
    for (const c of s.containers.value) {
      if (c.state === 'missing') down.push(`${c.service} container not found`);
      else if (isStopped(c.state)) down.push(`${c.service} container is stopped (${c.state})`);
      else if (c.state !== 'running') down.push(`${c.service} container is ${c.state}`);
      else if (c.health === 'unhealthy') degraded.push(`${c.service} container is unhealthy`);
    }
  } else (s.containers.reason === 'down' ? down : degraded).push(describeProbe('containers', s.containers));
  if (s.odoo.ok) {
    if (!s.odoo.value.ok) down.push(`Odoo /web/health answered HTTP ${s.odoo.value.httpStatus}`);
  } else if (s.odoo.reason === 'timeout') down.push('Odoo /web/health: no answer (timeout)');
  else down.push(`Odoo /web/health: ${s.odoo.message}`);
  // A database whose container refuses queries is down even when the container listing itself went unanswered.
  if (!s.databaseSizeBytes.ok) (s.databaseSizeBytes.reason === 'down' ? down : degraded).push(describeProbe(`database "${o.database}"`, s.databaseSizeBytes));
  if (!s.filestoreSizeBytes.ok) degraded.push(describeProbe('filestore', s.filestoreSizeBytes));
  if (!s.lastBackup.ok) degraded.push(describeProbe('backups', s.lastBackup));
  else if (s.lastBackup.value === null) degraded.push('no backup found');
  else if (s.lastBackup.value.overdue) degraded.push(`last backup is older than the schedule allows (${s.lastBackup.value.name})`);
  if (s.futureDated?.length) degraded.push(futureDatedWarning(s.futureDated));
  if (s.foreignWriters?.length) degraded.push(foreignWritersWarning(s.foreignWriters));
  if (!s.disk.ok) degraded.push(describeProbe('free disk', s.disk));
  else if (s.disk.value.totalBytes > 0 && s.disk.value.freeBytes / s.disk.value.totalBytes < LOW_DISK_RATIO) degraded.push('less than 10 % free disk on BACKUP_DIR');
  if (s.lastDrill?.stale)
    degraded.push(
      s.lastDrill.lastPassedAt
        ? `no restore drill passed within two drill intervals (last passed ${s.lastDrill.lastPassedAt})`
        : `no restore drill has passed yet${s.lastDrill.last ? ` (last: ${s.lastDrill.last.backup} failed at ${s.lastDrill.last.failure?.stage})` : ''}`,
    );
  if (s.attachmentStore?.ok && s.attachmentStore.value && s.attachmentStore.value.lagSeconds > s.attachmentStore.value.lagThresholdSeconds) {
    const a = s.attachmentStore.value;
    degraded.push(`the attachment store lags ${a.lagSeconds} s behind the filestore (${a.pendingFiles} file(s) not synced; threshold ${a.lagThresholdSeconds} s)`);
  } else if (s.attachmentStore && !s.attachmentStore.ok) degraded.push(describeProbe('attachment store', s.attachmentStore));
  if (s.r2.state === 'unreachable') degraded.push(`R2 unreachable: ${s.r2.message}`);
  if (s.r2.state === 'timeout') degraded.push(`R2 unreachable: ${s.r2.message}`);
  const reasons = [...down, ...degraded];
  return { verdict: down.length > 0 ? 'down' : degraded.length > 0 ? 'degraded' : 'healthy', reasons };
}

export { ProbeTimeout };
