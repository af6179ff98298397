import type { ListReply } from '../../commands/list.js';
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
