import type { ListReply } from '../../commands/list.js';
import type { PruneReply } from '../../commands/prune.js';
import type { SyncReply } from '../../commands/sync.js';
import type { BackupOutcome } from '../../services/backup/run-backup.js';
import type { VerifyOutcome } from '../../services/restore/verify-backup.js';
import type { StatusReply } from '../../commands/status.js';
import { isStopped } from '../../services/docker/stack-containers.js';
import type { ProbeResult } from '../../services/health/run-probe.js';

const probe = <T, R>(p: ProbeResult<T>, map: (v: T) => R) => (p.ok ? map(p.value) : null);
const probeError = (p: ProbeResult<unknown>) => (p.ok ? undefined : p.reason === 'timeout' ? 'timeout' : p.message);

/**
 * `odoo-ops status --json`: DESIGN's shape (verdict, containers, odoo,
 * lastBackup) plus the other probes. A probe without an answer is null with
 * its reason under `errors`.
 */
export function statusJson(reply: StatusReply) {
  const s = reply.status;
  const errors = Object.fromEntries(
    Object.entries({ containers: s.containers, odoo: s.odoo, database: s.databaseSizeBytes, filestore: s.filestoreSizeBytes, lastBackup: s.lastBackup, disk: s.disk, ...(s.attachmentStore ? { attachmentStore: s.attachmentStore } : {}) })
      .map(([k, p]) => [k, probeError(p)])
      .filter(([, e]) => e !== undefined),
  );
  return {
    verdict: s.verdict,
    reasons: s.reasons,
    checkedAt: s.checkedAt.toISOString(),
    containers: probe(s.containers, (cs) =>
      // A stopped container's health is `none` (StackContainers.list): Docker's last result is stale.
      cs.map((c) => ({ service: c.service, state: c.state, health: isStopped(c.state) ? 'none' : c.health, uptimeSeconds: c.uptimeSeconds, restartCount: c.restartCount, image: c.image })),
    ) ?? [],
    odoo: s.odoo.ok ? { ok: s.odoo.value.ok, latencyMs: s.odoo.value.latencyMs } : { ok: false, latencyMs: null },
    database: { sizeBytes: probe(s.databaseSizeBytes, (v) => v) },
    filestore: { sizeBytes: probe(s.filestoreSizeBytes, (v) => v) },
    lastBackup: probe(s.lastBackup, (b) =>
      b === null ? null : { name: b.name, ageSeconds: b.ageSeconds, createdAt: b.createdAt.toISOString(), sizeBytes: b.sizeBytes, locations: b.locations, overdue: b.overdue },
    ) ?? null,
    futureDated: s.futureDated ?? [],
    nextRun: s.nextRun?.toISOString() ?? null,
    disk: probe(s.disk, (d) => d),
    r2: s.r2.state,
    lastCleanup: s.lastCleanup ?? null,
    // Absent key: no R2 (no store) / no DRILL_SCHEDULE; null: never synced from here / unknown.
    ...(s.attachmentStore
      ? {
          attachmentStore: probe(s.attachmentStore, (a) =>
            a === null ? null : { files: a.files, bytes: a.bytes, newestSyncedAt: a.newestSyncedAt?.toISOString() ?? null, pendingFiles: a.pendingFiles, lagSeconds: a.lagSeconds, lagThresholdSeconds: a.lagThresholdSeconds },
          ) ?? null,
        }
      : {}),
    ...(s.lastDrill ? { lastDrill: { last: s.lastDrill.last, lastPassedAt: s.lastDrill.lastPassedAt, stale: s.lastDrill.stale } } : {}),
    errors,
  };
}

/** `odoo-ops list --json`: `[{name, sizeBytes, createdAt, locations}]`, newest first (DESIGN), plus `drilled: true` on a backup a restore drill passed on. */
export function listJson(reply: ListReply) {
  return reply.backups.map((b) => ({ name: b.name, sizeBytes: b.sizeBytes, createdAt: b.createdAt.toISOString(), locations: b.locations, ...(reply.drilled.includes(b.name) ? { drilled: true } : {}) }));
}

type Redact = (text: string) => string;

/** DESIGN's `{"error": {"stage", "message"}}`, the message redacted. */
export function errorJson(error: { stage: string; userMessage: string }, redact: Redact) {
  return { error: { stage: error.stage, message: redact(error.userMessage) } };
}

/** `odoo-ops backup --json`: the archive (name, size, duration, where, SHA-256, warnings) or the error, with the local archive kept when only R2 failed. */
export function backupJson(outcome: BackupOutcome, redact: Redact) {
  return outcome.ok
    ? { name: outcome.name, sizeBytes: outcome.sizeBytes, durationMs: outcome.durationMs, locations: outcome.locations, sha256: outcome.sha256, warnings: outcome.warnings }
    : { error: { stage: outcome.error.stage, message: redact(outcome.error.userMessage), ...(outcome.localArchive ? { localArchive: outcome.localArchive } : {}) } };
}

/** `odoo-ops verify --json`: the backup, whether it passed, and every check. */
export function verifyJson(outcome: VerifyOutcome, redact: Redact) {
  return outcome.ok
    ? {
        name: outcome.located.name,
        ok: outcome.verified.ok,
        sha256: outcome.verified.sha256,
        checksummed: outcome.verified.manifest !== null,
        locations: outcome.located.locations,
        checks: outcome.verified.checks,
      }
    : errorJson(outcome.error, redact);
}

/** `odoo-ops prune --json`: every decision of the retention, what was deleted or failed, and the set-aside data dropped. */
export function pruneJson(reply: PruneReply, redact: Redact) {
  if (!reply.ok) return errorJson(reply.error, redact);
  const r = reply.result;
  return {
    dryRun: r.dryRun,
    cutoff: r.cutoff.toISOString(),
    kept: r.protectedName,
    rule: r.rule,
    decisions: r.decisions,
    deleted: r.deleted,
    failures: r.failures.map((f) => ({ ...f, message: redact(f.message) })),
    futureDated: r.futureDated,
    previousData: reply.discarded,
    attachmentStore: reply.store,
    warnings: [...r.warnings, ...reply.warnings].map(redact),
  };
}

/** `odoo-ops sync --json`: the pass's counts, its failed uploads and warnings. */
export function syncJson(reply: SyncReply, redact: Redact) {
  if (!reply.ok) return errorJson(reply.error, redact);
  const r = reply.result;
  return { ...r, failed: r.failed.map((f) => ({ ...f, message: redact(f.message) })), warnings: reply.warnings.map(redact) };
}
