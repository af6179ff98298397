import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DumpSqlTap } from '../../services/odoo-zip/dump-sql-tap.js';
import { odooPgVersion, odooZipManifest } from '../../services/odoo-zip/odoo-manifest.js';
import { checkOdooManifest, entryProblem } from '../../services/odoo-zip/read-odoo-zip.js';

describe('Odoo zip format', () => {
  it('writes pg_version as Odoo computes it from server_version', () => {
    expect(odooPgVersion('15.14 (Debian 15.14-0+deb12u1)')).toBe('15.0');
    expect(odooPgVersion('9.6.24')).toBe('9.6');
    expect(odooPgVersion('unknown')).toBeNull();
  });

  it('takes the Odoo version from the base module when the backup did not record it', () => {
    const manifest = odooZipManifest({ database: 'odoo', odooVersion: 'unknown', postgresVersion: '15.4', modules: { base: '17.0.1.3' } });
    expect(manifest).toMatchObject({ odoo_dump: '1', version: '17.0', major_version: '17.0', version_info: [17, 0, 0, 'final', 0, ''], pg_version: '15.0' });
  });

  it('refuses absolute paths, .. and links; allows files and folders', () => {
    expect(entryProblem('filestore/ab/abc', (0o100644 << 16) >>> 0)).toBeNull();
    expect(entryProblem('filestore/ab/', (0o040755 << 16) >>> 0)).toBeNull();
    expect(entryProblem('dump.sql', 0)).toBeNull();
    expect(entryProblem('filestore/../../etc/x', 0)).toMatch(/leaving/);
    expect(entryProblem('/etc/passwd', 0)).toMatch(/absolute/);
    expect(entryProblem('C:/x', 0)).toMatch(/absolute/);
    expect(entryProblem('filestore/ab/link', (0o120777 << 16) >>> 0)).toMatch(/link/);
  });

  it('refuses another Odoo major or a newer PostgreSQL, and lists modules nothing provides', async () => {
    const addons = await mkdtemp(join(tmpdir(), 'addons-'));
    await mkdir(join(addons, 'my_module'));
    await writeFile(join(addons, 'my_module', '__manifest__.py'), '{}');
    const odoo16 = await checkOdooManifest({ major_version: '16.0', pg_version: '16.0', modules: {} }, '15.14', addons, null);
    expect(odoo16.problems).toHaveLength(2);
    const good = await checkOdooManifest({ major_version: '17.0', pg_version: '15.0', modules: { base: '17.0.1.3', my_module: '1', studio_x: '1' } }, '15.14', addons, new Set(['base']));
    expect(good.problems).toEqual([]);
    expect(good.warnings.join(' ')).toMatch(/studio_x/);
    expect(good.warnings.join(' ')).not.toMatch(/my_module|base,/);
  });

  it('reads the installed modules and server version out of a plain dump passing through, unchanged', async () => {
    const sql = [
      '-- Dumped from database version 15.14',
      'COPY public.res_partner (id, name) FROM stdin;',
      `1\t${'x'.repeat(200_000)}`,
      '\\.',
      'COPY public.ir_module_module (id, name, state, latest_version) FROM stdin;',
      '1\tbase\tinstalled\t17.0.1.3',
      '2\tsale\tuninstalled\t\\N',
      '3\tweb\tinstalled\t17.0.1.0',
      '\\.',
      '',
    ].join('\n');
    const tap = new DumpSqlTap();
    const out: Buffer[] = [];
    // Small chunks: lines cross chunk boundaries.
    const chunks = Buffer.from(sql).toString('latin1').match(/[\s\S]{1,7000}/g)!.map((c) => Buffer.from(c, 'latin1'));
    await pipeline(Readable.from(chunks), tap, new Writable({ write: (c, _e, done) => (out.push(c), done()) }));
    expect(Buffer.concat(out).toString()).toBe(sql);
    expect(tap.dumpedFrom).toBe('15.14');
    expect(tap.modules).toEqual({ base: '17.0.1.3', web: '17.0.1.0' });
  });
});
