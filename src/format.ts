/** Human sizes and durations shared by the Slack and terminal renderers. */
export { formatBytes } from '../services/format-bytes.js';

/** `3d 4h`, `5h 12m`, `42s`: the two largest units. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** `2026-01-31 02:00` in `timeZone`. */
export function formatTime(at: Date, timeZone: string): string {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(at);
  const get = (t: string) => p.find((x) => x.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** What became of the data Odoo served until a restore's switch: the writes made meanwhile, and where they are kept. */
export function previousDataSentence(outcome: {
  writesDuringRestore: { inserted: number; updated: number; deleted: number } | null;
  previousArchive: string | null;
  previousDatabase: string | null;
}): string | null {
  const w = outcome.writesDuringRestore;
  const writes = w
    ? w.inserted + w.updated + w.deleted === 0
      ? 'No row was written in the live database while the restore ran'
      : `While the restore ran, the live database took ${w.inserted} inserted, ${w.updated} updated and ${w.deleted} deleted rows`
    : null;
  if (outcome.previousArchive) return `${writes ? `${writes}; the` : 'The'} data as it was just before the switch is archived as ${outcome.previousArchive}.`;
  if (outcome.previousDatabase) return `${writes ? `${writes}; the` : 'The'} data as it was just before the switch is kept as ${outcome.previousDatabase}, not archived yet: it is never dropped until an archive holds it.`;
  return writes ? `${writes}.` : null;
}

/** User input made safe to echo: control and bidi characters escaped, cut to 80 characters. */
export { printableInput } from '../services/printable-input.js';
