import { describe, expect, it } from 'vitest';
import { parseArchiveManifest } from '../../services/backup/archive-manifest.js';

const sha = 'a'.repeat(64);
const good = { formatVersion: 1, name: 'odoo_backup_2026-01-01_00-00-00.tar.gz', database: 'odoo', createdAt: '2026-01-01T00:00:00Z', postgresVersion: '15.1', odooVersion: '17.0', tool: 'odoo-ops 0.1', members: { 'database.dump': { sizeBytes: 10, sha256: sha } } };

describe('manifest.json as read back', () => {
  it('takes a manifest as odoo-ops writes it, and one of a later format with fields it does not know', () => {
    expect(parseArchiveManifest(JSON.stringify(good)).members['database.dump']).toEqual({ sizeBytes: 10, sha256: sha });
    const later = parseArchiveManifest(JSON.stringify({ ...good, formatVersion: 99, rowCounts: { res_partner: 3 } }));
    expect(later.formatVersion).toBe(99);
    expect((later as unknown as { rowCounts: unknown }).rowCounts).toEqual({ res_partner: 3 });
  });

  it('refuses, saying which field, a manifest without members, with a size that is not a count, or a SHA-256 that is not one', () => {
    expect(() => parseArchiveManifest(JSON.stringify({ ...good, members: undefined }))).toThrow(/members/);
    expect(() => parseArchiveManifest(JSON.stringify({ ...good, members: { 'database.dump': { sizeBytes: -1, sha256: sha } } }))).toThrow(/members\.database\.dump\.sizeBytes/);
    expect(() => parseArchiveManifest(JSON.stringify({ ...good, members: { 'database.dump': { sizeBytes: 1, sha256: 'xyz' } } }))).toThrow(/a hex SHA-256/);
    expect(() => parseArchiveManifest('{"formatVersion": "1"}')).toThrow(/formatVersion/);
  });

  it('reads format 2 (row counts and attachment figures) and format 1 without them', () => {
    const v2 = parseArchiveManifest(JSON.stringify({ ...good, formatVersion: 2, tables: { 'public.res_partner': 3 }, attachments: { rows: 2, files: 1 } }));
    expect(v2.tables).toEqual({ 'public.res_partner': 3 });
    expect(v2.attachments).toEqual({ rows: 2, files: 1 });
    expect(parseArchiveManifest(JSON.stringify({ ...good, formatVersion: 2, tables: {}, attachments: null })).attachments).toBeNull();
    expect(parseArchiveManifest(JSON.stringify(good)).tables).toBeUndefined();
    expect(() => parseArchiveManifest(JSON.stringify({ ...good, formatVersion: 2, tables: { 'public.res_partner': -1 } }))).toThrow(/tables\.public\.res_partner/);
  });
});
