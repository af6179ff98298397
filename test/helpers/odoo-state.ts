import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDockerClient } from '../../services/docker/docker-client.js';
import type { TestbedInfo } from '../testbed/testbed-info.js';
import { psql, tableFingerprints } from './postgres.js';
import { fileFingerprints } from './seed-odoo.js';

/** What a user would call "the Odoo data": every table's rows and every filestore file. */
export interface OdooSnapshot {
  tables: Record<string, string>;
  files: Record<string, string>;
}

export async function snapshotOdoo(testbed: TestbedInfo): Promise<OdooSnapshot> {
  const db = testbed.stack.db.database;
  return { tables: await tableFingerprints(testbed, db), files: await fileFingerprints(join(testbed.stack.odoo.dataDir, 'filestore', db)) };
}

/** Changes rows and filestore files, as a day of use would. */
export async function changeOdooData(testbed: TestbedInfo): Promise<void> {
  await psql(testbed, "UPDATE res_partner SET name = name || ' (edited)' WHERE id % 3 = 0; DELETE FROM ir_attachment WHERE id % 5 = 0; INSERT INTO res_partner (name) VALUES ('new today')");
  await writeFile(join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database, 'added-today.bin'), 'new attachment');
}

/** The odoo container's start time: unchanged means Odoo was never stopped. */
export async function odooStartedAt(testbed: TestbedInfo): Promise<string> {
  return (await createDockerClient(testbed.dockerHost).getContainer(testbed.stack.odoo.container).inspect()).State.StartedAt;
}

export async function odooHealthy(testbed: TestbedInfo): Promise<boolean> {
  const response = await fetch(new URL('/web/health', testbed.stack.odoo.url)).catch(() => null);
  return response?.status === 200;
}

/** Databases on the server whose names start with `prefix`. */
export async function databasesLike(testbed: TestbedInfo, prefix: string): Promise<string[]> {
  return (await psql(testbed, `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%' ORDER BY 1`, 'postgres')).split('\n').filter(Boolean);
}
