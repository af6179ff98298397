/** `YYYYMMDD_HHMMSS` in UTC: the suffix shared by a restore's database and directory names. */
export function restoreStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
}

/** Names a restore uses beside the live database `db` (and its filestore directory). */
export function restoreNames(db: string, stamp: string) {
  return {
    /** The restored copy, built while Odoo keeps serving. */
    restored: `${db}_restore_${stamp}`,
    /** The previous live database after the switch, kept until the next successful backup. */
    previous: `${db}_before_${stamp}`,
    /** Addons entries set aside inside ADDONS_DIR (never included in backups). */
    addonsStaged: `.odoo-ops-restore-${stamp}`,
    addonsPrevious: `.odoo-ops-before-${stamp}`,
  };
}

/** Matches the names of restores' leftovers for database `db`: previous sets and abandoned copies. */
export function leftoverPattern(db: string): RegExp {
  const escaped = db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}_(before|restore)_\\d{8}_\\d{6}$`);
}

/** Matches addons entries a restore set aside. */
export const ADDONS_LEFTOVER = /^\.odoo-ops-(before|restore)-\d{8}_\d{6}$/;

/** PostgreSQL truncates identifiers to 63 bytes: a longer restore name would collide. */
export const MAX_IDENTIFIER_BYTES = 63;
