import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { TestbedInfo } from '../testbed/testbed-info.js';
import { psql } from './postgres.js';

/**
 * Creates Odoo-shaped tables (partners, attachments pointing into the filestore)
 * with `rows` partners, replacing earlier seeds. Includes values that trip naive
 * dumps: quotes, newlines, NULLs, bytea.
 */
export async function seedDatabase(testbed: TestbedInfo, rows = 200): Promise<void> {
  await psql(
    testbed,
    `DROP TABLE IF EXISTS ir_attachment, res_partner;
     CREATE TABLE res_partner (id serial PRIMARY KEY, name text NOT NULL, email text, comment text, active boolean DEFAULT true, create_date timestamp DEFAULT now());
     CREATE TABLE ir_attachment (id serial PRIMARY KEY, res_id int REFERENCES res_partner(id), name text, store_fname text, checksum text, db_datas bytea);
     INSERT INTO res_partner (name, email, comment)
       SELECT 'Partner ' || g || ' O''Hara', CASE WHEN g % 7 = 0 THEN NULL ELSE 'p' || g || '@example.com' END, E'line one\\nline two ' || md5(g::text)
       FROM generate_series(1, ${rows}) g;
     INSERT INTO ir_attachment (res_id, name, store_fname, checksum, db_datas)
       SELECT g, 'doc' || g || '.pdf', substr(md5(g::text), 1, 2) || '/' || md5(g::text), md5(g::text), decode(md5(g::text), 'hex')
       FROM generate_series(1, ${rows}) g;`,
  );
}

/** Writes `count` random attachment files under filestore/<db>/xx/<sha>, as Odoo lays them out. */
export async function seedFilestore(dataDir: string, database: string, count = 20, size = 64 * 1024): Promise<void> {
  for (let i = 0; i < count; i++) {
    const content = randomBytes(size + i);
    const sha = createHash('sha1').update(content).digest('hex');
    const dir = join(dataDir, 'filestore', database, sha.slice(0, 2));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, sha), content);
  }
}

/** Every file under `root`, by relative path, with the SHA-256 of its bytes. */
export async function fileFingerprints(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out[relative(root, full)] = createHash('sha256').update(await readFile(full)).digest('hex');
    }
  }
  await walk(root);
  return out;
}

/** ir_attachment rows for exactly the files in the filestore (store_fname, SHA-1 checksum), as Odoo keeps them, and one row held in the database. */
export async function attachmentsForFilestore(testbed: TestbedInfo): Promise<void> {
  const root = join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database);
  const rows: string[] = [];
  for (const dir of await readdir(root)) {
    for (const file of await readdir(join(root, dir)).catch(() => [])) {
      const sha1 = createHash('sha1').update(await readFile(join(root, dir, file))).digest('hex');
      rows.push(`('${file}.pdf', '${dir}/${file}', '${sha1}')`);
    }
  }
  await psql(testbed, `DELETE FROM ir_attachment; INSERT INTO ir_attachment (name, store_fname, checksum) VALUES ${rows.join(', ')}; INSERT INTO ir_attachment (name, db_datas) VALUES ('in the database', 'x')`);
}
