import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startTestbed } from '../test/global-setup.js';
import { psql } from '../test/helpers/postgres.js';
import type { TestbedInfo } from '../test/testbed/testbed-info.js';

export const MB = 1024 * 1024;

/**
 * Fills the test bed's Odoo database and filestore with an Odoo-shaped dataset
 * of about `sizeMb`: half tables (a partner-like table of text rows, an
 * attachment table of random bytea), half filestore files (two thirds
 * text-like, one third random), so one third of the bytes is incompressible.
 * Shared by bench:backup and bench:restore.
 */
async function generateDataset(testbed: TestbedInfo, sizeMb: number): Promise<void> {
  const tableMb = Math.round(sizeMb / 2);
  const fileMb = sizeMb - tableMb;
  console.error(`dataset: ${tableMb} MB of tables, ${fileMb} MB of attachments, one third incompressible`);
  // Text rows (compressible) for two thirds of the table bytes, random bytea for one third.
  const textRows = Math.round(((tableMb * 2) / 3) * MB / 200);
  const binaryRows = Math.round((tableMb / 3) * MB / 8192);
  await psql(
    testbed,
    `DROP TABLE IF EXISTS bench_partner, bench_attachment;
     CREATE TABLE bench_partner (id serial PRIMARY KEY, name text, email text, street text, comment text);
     INSERT INTO bench_partner (name, email, street, comment)
       SELECT 'Partner ' || g, 'partner' || g || '@example.com', g || ' Main Street, Springfield',
              repeat(md5(g::text), 4) FROM generate_series(1, ${textRows}) g;
     CREATE TABLE bench_attachment (id serial PRIMARY KEY, datas bytea);
     ALTER TABLE bench_attachment ALTER COLUMN datas SET STORAGE EXTERNAL;
     INSERT INTO bench_attachment (datas) SELECT decode(string_agg(md5(random()::text || g::text || s::text), ''), 'hex')
       FROM generate_series(1, ${binaryRows}) g, generate_series(1, 512) s GROUP BY g;`,
  );
  // Settle the new rows as a database in service would be: otherwise the first
  // run to read them (ours) also pays for autovacuum and for setting hint bits.
  // Separate calls: one -c string is one transaction, and VACUUM refuses to run inside one.
  await psql(testbed, 'VACUUM ANALYZE bench_partner, bench_attachment');
  await psql(testbed, 'CHECKPOINT');
  const filestore = join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database);
  const fileSize = 2 * MB;
  const count = Math.max(1, Math.round(fileMb / 2));
  const words = Buffer.from('invoice partner amount tax total due date product quantity price ');
  for (let i = 0; i < count; i++) {
    const random = i % 3 === 0;
    const content = random ? randomBytes(fileSize) : Buffer.concat([Buffer.alloc(fileSize, words), randomBytes(64)]);
    const sha = createHash('sha1').update(content).digest('hex');
    await mkdir(join(filestore, sha.slice(0, 2)), { recursive: true });
    await writeFile(join(filestore, sha.slice(0, 2), sha), content);
  }
  // Write the dataset out now, or the kernel does it during the first measured run.
  await promisify(execFile)('sync');
}

/** Starts the test bed (healthchecks every 10 s, as in docker-compose.yml), fills it with the dataset, runs `body`, and tears the test bed down whatever happens. */
export async function withDataset(sizeMb: number, body: (testbed: TestbedInfo) => Promise<void>): Promise<void> {
  // Healthchecks as often as the shipped docker-compose.yml runs them, not the tests' 0.5 s.
  const { info: testbed, teardown } = await startTestbed({ healthIntervalMs: 10_000 });
  try {
    await generateDataset(testbed, sizeMb);
    await body(testbed);
  } finally {
    await teardown();
  }
}
