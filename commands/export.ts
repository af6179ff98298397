import { resolve } from 'node:path';
import { exportOdooZip, type ExportOutcome } from '../services/odoo-zip/export-odoo-zip.js';
import type { Services } from '../services/services.js';
import { checkBackupName } from './restore.js';

/**
 * `export`: backup `name` (with or without `.tar.gz`) as Odoo's database-manager
 * zip at `out` (default `<name>.zip` in the working directory). Reads the
 * backup; writes only the zip. No lock: nothing live is touched.
 */
export async function exportCommand(services: Services, input: { name: string | undefined; out?: string; withFilestore: boolean; cwd: string }): Promise<ExportOutcome> {
  const checked = checkBackupName(input.name);
  if (!checked.ok) return { ok: false, error: checked.error, durationMs: 0 };
  const out = resolve(input.cwd, input.out ?? checked.name.replace(/\.tar\.gz$/, '.zip'));
  return exportOdooZip(services, { name: checked.name, out, withFilestore: input.withFilestore });
}
