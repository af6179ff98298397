import { runCommand } from '../testbed/run-command.js';
import type { TestbedInfo } from '../testbed/testbed-info.js';

/** Runs SQL with the host's psql over TCP against the test bed's server; returns unaligned output. */
export function psql(testbed: TestbedInfo, sql: string, database = testbed.stack.db.database): Promise<string> {
  const { db } = testbed.stack;
  return runCommand('psql', ['-h', '127.0.0.1', '-p', String(db.port), '-U', db.user, '-d', database, '-AtqX', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    env: { ...process.env, PGPASSWORD: db.password },
  });
}

/** Restores a custom-format dump into a new database with pg_restore, as an admin would by hand. */
export async function restoreDumpInto(testbed: TestbedInfo, dumpFile: string, database: string): Promise<void> {
  const { db } = testbed.stack;
  await psql(testbed, `CREATE DATABASE "${database}" TEMPLATE template0`, 'postgres');
  await runCommand('pg_restore', ['-h', '127.0.0.1', '-p', String(db.port), '-U', db.user, '-d', database, '--no-owner', '--exit-on-error', dumpFile], {
    env: { ...process.env, PGPASSWORD: db.password },
  });
}

/** For every table of the public schema: its row count and an md5 over all its rows in a stable order. */
export async function tableFingerprints(testbed: TestbedInfo, database: string): Promise<Record<string, string>> {
  const tables = (await psql(testbed, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", database)).split('\n').filter(Boolean);
  const out: Record<string, string> = {};
  for (const table of tables) {
    out[table] = (await psql(testbed, `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM "${table}" t`, database)).trim();
  }
  return out;
}
