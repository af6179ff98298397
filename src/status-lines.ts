import { isStopped } from '../services/docker/stack-containers.js';
import type { ProbeResult } from '../services/health/run-probe.js';
import type { StackStatus } from '../services/health/status-service.js';
import { formatBytes, formatDuration, formatTime } from './format.js';

/** One label/value pair of the status report, shared by the terminal and Slack renderers. */
export interface StatusLine {
  label: string;
  value: string;
  warn?: boolean;
}

const unknown = (p: ProbeResult<unknown>) => (p.ok ? '' : p.reason === 'timeout' ? 'unknown (timeout)' : `unknown (${p.message})`);

/** The status report as label/value pairs (containers excluded), in display order. */
export function statusLines(s: StackStatus, timeZone: string): StatusLine[] {
  const lines: StatusLine[] = [];
  lines.push(
    s.odoo.ok
      ? { label: 'Odoo /web/health', value: s.odoo.value.ok ? `ok (${s.odoo.value.latencyMs} ms)` : `failing: HTTP ${s.odoo.value.httpStatus} (${s.odoo.value.latencyMs} ms)`, warn: !s.odoo.value.ok }
      : // A probe that failed names its cause (refused, unknown host); only a timeout leaves it unknown.
        { label: 'Odoo /web/health', value: s.odoo.reason === 'timeout' ? 'no answer (timeout)' : `not answering: ${s.odoo.message}`, warn: true },
  );
  lines.push({ label: 'Database size', value: s.databaseSizeBytes.ok ? formatBytes(s.databaseSizeBytes.value) : unknown(s.databaseSizeBytes), warn: !s.databaseSizeBytes.ok });
  lines.push({ label: 'Filestore size', value: s.filestoreSizeBytes.ok ? formatBytes(s.filestoreSizeBytes.value) : unknown(s.filestoreSizeBytes), warn: !s.filestoreSizeBytes.ok });
  if (!s.lastBackup.ok) lines.push({ label: 'Last backup', value: unknown(s.lastBackup), warn: true });
  else if (s.lastBackup.value === null) lines.push({ label: 'Last backup', value: 'none yet', warn: true });
  else {
    const b = s.lastBackup.value;
    const overdue = b.overdue ? ' — older than the schedule allows' : '';
    lines.push({ label: 'Last backup', value: `${b.name}, ${formatDuration(b.ageSeconds)} ago, ${formatBytes(b.sizeBytes)}, in ${b.locations.join(' + ')}${overdue}`, warn: b.overdue });
  }
  lines.push({ label: 'Next scheduled run', value: s.nextRun ? `${formatTime(s.nextRun, timeZone)} ${timeZone}` : 'unknown' });
  if (s.disk.ok) {
    const d = s.disk.value;
    const pct = d.totalBytes > 0 ? Math.round((d.freeBytes / d.totalBytes) * 100) : 0;
    lines.push({ label: 'Free disk (BACKUP_DIR)', value: `${formatBytes(d.freeBytes)} of ${formatBytes(d.totalBytes)} (${pct} %)`, warn: pct < 10 });
  } else lines.push({ label: 'Free disk (BACKUP_DIR)', value: unknown(s.disk), warn: true });
  const r2 =
    s.r2.state === 'local-only'
      ? { value: 'local-only (R2 not configured: backups stay on this machine)', warn: true }
      : s.r2.state === 'reachable'
        ? { value: 'reachable' }
        : s.r2.state === 'timeout'
          ? { value: `unreachable (${s.r2.message})`, warn: true }
          : { value: `unreachable (${s.r2.message})`, warn: true };
  lines.push({ label: 'R2', ...r2 });
  if (s.attachmentStore) {
    const a = s.attachmentStore;
    if (!a.ok) lines.push({ label: 'Attachment store', value: unknown(a), warn: true });
    else if (a.value === null) lines.push({ label: 'Attachment store', value: 'never synced from this machine (odoo-ops sync, or the bot, runs a pass)' });
    else {
      const v = a.value;
      const newest = v.newestSyncedAt ? `newest synced ${formatTime(v.newestSyncedAt, timeZone)} ${timeZone}` : 'nothing synced yet';
      const lag = v.pendingFiles > 0 ? `${v.pendingFiles} file(s) pending, lag ${formatDuration(v.lagSeconds)}` : 'up to date';
      const over = v.lagSeconds > v.lagThresholdSeconds;
      lines.push({ label: 'Attachment store', value: `${v.files} files, ${formatBytes(v.bytes)}, ${newest}, ${lag}${over ? ` — more than ${formatDuration(v.lagThresholdSeconds)}` : ''}`, warn: over });
    }
  }
  if (s.lastDrill) {
    const d = s.lastDrill;
    const last = d.last;
    const what = last
      ? `${formatTime(new Date(last.finishedAt), timeZone)} ${timeZone}, ${last.backup}: ${last.passed ? 'passed' : `FAILED at ${last.failure?.stage ?? 'unknown'}: ${last.failure?.message ?? ''}`}${last.restoreMs !== null ? `, RTO ${formatDuration(Math.round(last.restoreMs / 1000))}` : ''}`
      : 'none yet';
    const stale = d.stale ? (d.lastPassedAt ? ' — none passed within two drill intervals' : ' — none has passed yet') : '';
    lines.push({ label: 'Last restore drill', value: `${what}${stale}`, warn: d.stale || (last !== null && !last.passed) });
  }
  if (s.lastCleanup) {
    const c = s.lastCleanup;
    const parts = [
      [c.backupStaging, 'backup staging dir'],
      [c.partialArchives, 'partial archive'],
      [c.restoreStaging, 'restore staging dir'],
      [c.multipartUploads, 'incomplete R2 upload'],
    ]
      .filter(([n]) => (n as number) > 0)
      .map(([n, what]) => `${n} ${what}${n === 1 ? '' : 's'}`);
    lines.push({ label: 'Last cleanup', value: `${formatTime(new Date(c.at), timeZone)} ${timeZone}: removed ${parts.join(', ')} left by killed runs` });
  }
  return lines;
}

/** One container as a short phrase: `running, healthy, up 3d 4h, 0 restarts, odoo:17`. */
export function containerSummary(c: StackStatus['containers'] extends ProbeResult<infer T> ? (T extends (infer C)[] ? C : never) : never): string {
  if (c.state === 'missing') return 'missing (no container with this compose service label)';
  // A stopped container's health is `none`: its last healthcheck result is stale.
  const stopped = isStopped(c.state);
  const parts = [stopped ? `stopped (${c.state})` : c.state];
  if (c.health !== 'none' && !stopped) parts.push(c.health);
  if (c.uptimeSeconds !== null) parts.push(`up ${formatDuration(c.uptimeSeconds)}`);
  parts.push(`${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}`, c.image);
  return parts.join(', ');
}

export const VERDICT_EMOJI = { healthy: ':large_green_circle:', degraded: ':large_yellow_circle:', down: ':red_circle:' } as const;
