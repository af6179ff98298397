import { execInContainer } from '../docker/exec-in-container.js';
import { passwordEnv, type DatabaseTarget } from './dump-database.js';

/**
 * The installed Odoo modules of `target.database` and their versions, as
 * Odoo's own database manager records them in its zip's manifest
 * (odoo/service/db.py `dump_db_manifest`: `SELECT name, latest_version FROM
 * ir_module_module WHERE state = 'installed'`). Null when the database has no
 * ir_module_module table (not an Odoo database yet) or cannot be asked: the
 * manifest then says nothing of modules. Read-only, run by psql in the DB container.
 */
export async function installedModules(target: DatabaseTarget): Promise<Record<string, string | null> | null> {
  try {
    const container = await target.stack.runningContainer(target.dbService);
    const query =
      "SELECT CASE WHEN to_regclass('public.ir_module_module') IS NULL THEN '-' ELSE coalesce((SELECT json_object_agg(name, latest_version ORDER BY name)::text FROM ir_module_module WHERE state = 'installed'), '{}') END";
    const result = await execInContainer(container, ['psql', '-U', target.user, '-d', target.database, '-AtX', '-v', 'ON_ERROR_STOP=1', '-c', query], {
      env: passwordEnv(target),
    });
    const text = result.stdout.trim();
    if (result.exitCode !== 0 || text === '-' || text === '') return null;
    return JSON.parse(text) as Record<string, string | null>;
  } catch {
    return null;
  }
}
