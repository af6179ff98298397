import { BACKUP_NAME_PATTERN } from './backup-name.js';

/** BACKUP_KEEP_DAILY / _WEEKLY / _MONTHLY / _YEARLY: how many of each period keep their newest backup (0 or unset: none). */
export interface GfsPolicy {
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
}

export type GfsRule = 'daily' | 'weekly' | 'monthly' | 'yearly';

export interface GfsDecision {
  name: string;
  keep: boolean;
  /** Why it stays (`daily 2026-03-04`, `newest backup`, `newest drilled backup`) or why it goes. */
  reasons: string[];
}

const RULES: GfsRule[] = ['daily', 'weekly', 'monthly', 'yearly'];

/** True when at least one BACKUP_KEEP_* is set: GFS applies instead of BACKUP_RETENTION_DAYS. */
export function gfsEnabled(policy: GfsPolicy | undefined): policy is GfsPolicy {
  return policy !== undefined && RULES.some((rule) => policy[rule] !== undefined);
}

/** ISO 8601 week of a calendar date: `2026-W09` (weeks begin on Monday; week 1 holds the year's first Thursday). */
function isoWeek(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const weekYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${String(week).padStart(2, '0')}`;
}

/** The period a backup falls in for `rule`, read from the wall-clock date in its name (the name is in TZ, so is the period). */
function period(name: string, rule: GfsRule): string {
  const [, y, m, d] = BACKUP_NAME_PATTERN.exec(name)!;
  switch (rule) {
    case 'daily':
      return `${y}-${m}-${d}`;
    case 'weekly':
      return isoWeek(Number(y), Number(m), Number(d));
    case 'monthly':
      return `${y}-${m}`;
    case 'yearly':
      return `${y}`;
  }
}

/**
 * Grandfather-father-son selection, pure: of `names` (backup-pattern names
 * dated in the past; others are ignored), for each rule the newest backup of
 * each of the `policy[rule]` most recent periods (days, ISO weeks, months,
 * years) that hold a backup is kept, as restic's `forget --keep-*` does. The
 * newest backup of all and every name in `protect` (the newest drilled backup)
 * are kept whatever the policy. Returns one decision per pattern name, newest
 * first, each with its reasons.
 */
export function selectGfs(names: readonly string[], policy: GfsPolicy, protect: readonly string[] = []): GfsDecision[] {
  // Names sort by time as text (fixed-width fields, newest last).
  const sorted = [...new Set(names.filter((n) => BACKUP_NAME_PATTERN.test(n)))].sort().reverse();
  const reasons = new Map<string, string[]>(sorted.map((n) => [n, []]));
  if (sorted[0]) reasons.get(sorted[0])!.push('newest backup');
  for (const name of protect) reasons.get(name)?.push('newest drilled backup');
  for (const rule of RULES) {
    const count = policy[rule] ?? 0;
    const seen = new Set<string>();
    for (const name of sorted) {
      if (seen.size >= count) break;
      const key = period(name, rule);
      if (seen.has(key)) continue;
      seen.add(key);
      reasons.get(name)!.push(`${rule} ${key}`);
    }
  }
  const kept = Object.entries(policy)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([rule, n]) => `${n} ${rule}`)
    .join(', ');
  return sorted.map((name) => {
    const why = reasons.get(name)!;
    return why.length > 0
      ? { name, keep: true, reasons: why }
      : { name, keep: false, reasons: [`not the newest of a period kept by ${kept || 'no BACKUP_KEEP_* rule'}`] };
  });
}
