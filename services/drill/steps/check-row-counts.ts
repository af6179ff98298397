import { COUNT_EVERY_TABLE } from '../../database/snapshot-session.js';
import { queryDatabase } from '../../database/query-database.js';
import type { ArchiveManifest } from '../../backup/archive-manifest.js';
import type { DrillRun } from '../drill-run.js';

/**
 * Step `row-counts`: every table's row count in the scratch database against
 * the manifest's (format 2, counted in the dump's snapshot): a table missing,
 * extra, or with another count fails the check, naming them. Skipped, with a
 * note, for a manifest without counts (format 1, old scripts). Reads only.
 */
export async function checkRowCounts(run: DrillRun, manifest: ArchiveManifest | null): Promise<void> {
  await run.step('row-counts', async () => {
    if (!manifest?.tables) {
      run.checks.push({ name: 'row-counts', status: 'skipped', detail: `the archive's manifest has no row counts (${manifest ? `format ${manifest.formatVersion}` : 'no manifest.json'})` });
      return;
    }
    const restored = new Map((await queryDatabase(run.services.database, run.scratch, COUNT_EVERY_TABLE, 'row-counts')).map(([t, n]) => [t!, Number(n)]));
    const wrong: string[] = [];
    for (const [table, expected] of Object.entries(manifest.tables)) {
      const got = restored.get(table);
      if (got === undefined) wrong.push(`${table} missing (manifest: ${expected} rows)`);
      else if (got !== expected) wrong.push(`${table} has ${got} rows, the manifest says ${expected}`);
    }
    for (const table of restored.keys()) if (!(table in manifest.tables)) wrong.push(`${table} is not in the manifest`);
    const total = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
    run.checks.push(
      wrong.length === 0
        ? { name: 'row-counts', status: 'passed', detail: `${restored.size} tables, ${total} rows, as in the manifest` }
        : { name: 'row-counts', status: 'failed', detail: wrong.slice(0, 10).join('; ') + (wrong.length > 10 ? `; and ${wrong.length - 10} more` : '') },
    );
  });
}
