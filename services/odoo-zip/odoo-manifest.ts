/**
 * Odoo's database-manager zip, as Odoo 17 writes and reads it (checked in
 * odoo/odoo `odoo/service/db.py` and `odoo/tools/osutil.py`):
 * - `dump_db(db, stream, 'zip')`: `pg_dump --no-owner <db> --file=dump.sql`,
 *   the database's filestore copied to `filestore/` (its `<xx>/<sha1>` files
 *   directly under it), `manifest.json` from `dump_db_manifest(cr)` written
 *   with `indent=4`; zipped by `osutil.zip_dir(..., include_dir=False)`:
 *   ZIP_DEFLATED, allowZip64, files only (no directory entries), dump.sql first.
 * - `dump_db_manifest`: `odoo_dump: '1'`, `db_name`, `version`
 *   (release.version, "17.0"), `version_info` ([17, 0, 0, 'final', 0, '']),
 *   `major_version` ("17.0"), `pg_version` ("%d.%d" % divmod(server_version /
 *   100, 100): "15.0" for any 15.x, Python's %d truncating), `modules`
 *   (`SELECT name, latest_version FROM ir_module_module WHERE state = 'installed'`).
 * - `restore_db`: creates the database (template0, ENCODING unicode), extracts
 *   only `dump.sql` and `filestore/…`, runs `psql -q -f dump.sql` WITHOUT
 *   ON_ERROR_STOP (SQL errors are ignored), then moves `filestore/` to
 *   `<data_dir>/filestore/<db>`; `copy=True` regenerates database.uuid. The
 *   manifest is not read by the restore.
 */
export interface OdooZipManifest {
  odoo_dump: '1';
  db_name: string;
  version: string | null;
  version_info: Array<number | string> | null;
  major_version: string | null;
  pg_version: string | null;
  modules: Record<string, string | null>;
}

/** "17.0" (or "17.0-20240101", "saas~17.2") → Odoo's version parts, or null. */
export function odooVersionParts(version: string | null | undefined): { version: string; versionInfo: Array<number | string>; major: string } | null {
  const match = /^(?:saas~)?(\d+)\.(\d+)/.exec(version ?? '');
  if (!match) return null;
  const major = `${match[1]}.${match[2]}`;
  return { version: major, versionInfo: [Number(match[1]), Number(match[2]), 0, 'final', 0, ''], major };
}

/** A PostgreSQL version ("15.14 (Debian …)", "15.0") as Odoo's manifest writes it ("15.0"), or null. */
export function odooPgVersion(version: string | null | undefined): string | null {
  const match = /^\s*(\d+)(?:\.(\d+))?/.exec(version ?? '');
  if (!match) return null;
  const first = Number(match[1]);
  // Odoo computes it from server_version: 150014 → "15.0"; 90624 → "9.6".
  return first >= 10 ? `${first}.0` : `${first}.${Number(match[2] ?? 0)}`;
}

/** The manifest Odoo's database manager would have written for this backup. */
export function odooZipManifest(input: { database: string; odooVersion: string | null; postgresVersion: string | null; modules: Record<string, string | null> }): OdooZipManifest {
  // Without a recorded Odoo version, the base module's version ("17.0.1.3") says it.
  const parts = odooVersionParts(input.odooVersion) ?? odooVersionParts(input.modules.base ?? null);
  return {
    odoo_dump: '1',
    db_name: input.database,
    version: parts?.version ?? null,
    version_info: parts?.versionInfo ?? null,
    major_version: parts?.major ?? null,
    pg_version: odooPgVersion(input.postgresVersion),
    modules: input.modules,
  };
}
