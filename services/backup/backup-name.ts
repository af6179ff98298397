/** `odoo_backup_YYYY-MM-DD_HH-MM-SS.tar.gz`, the time being wall-clock time in TZ (DESIGN). */
export const BACKUP_NAME_PATTERN = /^odoo_backup_(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})\.tar\.gz$/;

const pad = (n: number) => String(n).padStart(2, '0');

/** Wall-clock fields of `at` in `timeZone`. */
function wallClock(at: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The archive name for a backup taken at `at`, in `timeZone`. */
export function formatBackupName(at: Date, timeZone: string): string {
  const t = wallClock(at, timeZone);
  return `odoo_backup_${t.year}-${pad(t.month)}-${pad(t.day)}_${pad(t.hour)}-${pad(t.minute)}-${pad(t.second)}.tar.gz`;
}

/** The name's wall-clock fields, when it matches the pattern and is a real calendar time. */
function nameFields(name: string): [number, number, number, number, number, number] | null {
  const m = BACKUP_NAME_PATTERN.exec(name);
  if (!m) return null;
  const fields = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = fields;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  return fields;
}

/** True for names of the backup pattern that are a real date and time: only those are ever listed or deleted. */
export function isBackupName(name: string): boolean {
  return nameFields(name) !== null;
}

/** The archive name without `.tar.gz`: the top folder inside the archive. */
export function backupFolder(name: string): string {
  return name.replace(/\.tar\.gz$/, '');
}

/**
 * The instant a backup name stands for, reading its wall-clock time in
 * `timeZone`; null for names that do not match the pattern or are no real date.
 */
export function backupTime(name: string, timeZone: string): Date | null {
  const fields = nameFields(name);
  if (!fields) return null;
  const [year, month, day, hour, minute, second] = fields;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Shift by the zone's offset at that moment; a second pass settles DST edges.
  let instant = asUtc;
  for (let i = 0; i < 2; i++) {
    const w = wallClock(new Date(instant), timeZone);
    const offset = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - instant;
    instant = asUtc - offset;
  }
  return new Date(instant);
}

/**
 * How far ahead of this machine's clock a name may be dated and still count as
 * a backup taken: clocks of servers sharing a bucket drift by seconds, and a
 * name is taken when its backup starts. A name dated further ahead (a wrong
 * clock, a copy from another server) is never the newest backup, never "the
 * last backup" of status or the overdue check, and never deleted by retention.
 */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** True when `at` (a name's time) is more than FUTURE_TOLERANCE_MS after `now`. */
export function isFutureDated(at: Date, now: Date): boolean {
  return at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS;
}

/**
 * Splits entries by the time in their name: `past` (taken, at most
 * FUTURE_TOLERANCE_MS ahead of `now`) and `future` (dated later), each in the
 * order given. Pure.
 */
export function splitFutureDated<T extends { createdAt: Date }>(entries: readonly T[], now: Date): { past: T[]; future: T[] } {
  const past: T[] = [];
  const future: T[] = [];
  for (const entry of entries) (isFutureDated(entry.createdAt, now) ? future : past).push(entry);
  return { past, future };
}

/** The warning status and retention give about names dated in the future, naming each and where it is. */
export function futureDatedWarning(entries: readonly { name: string; locations: readonly string[] }[]): string {
  const listed = entries.map((e) => `${e.name} (${e.locations.join(' + ')})`).join(', ');
  const one = entries.length === 1;
  return (
    `${listed} ${one ? 'is' : 'are'} dated more than ${FUTURE_TOLERANCE_MS / 60_000} minutes in the future: ` +
    `not counted as the last backup and never deleted by retention; check the clock of the server that wrote ${one ? 'it' : 'them'}, or move ${one ? 'it' : 'them'} away`
  );
}
