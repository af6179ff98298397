import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLEANUP_RECORD, lastCleanup, removeLeftovers } from '../../services/cleanup/remove-leftovers.js';
import { S3Backend } from '../../services/storage/s3-backend.js';
import { createS3Client } from '../../services/storage/s3-client.js';

const ENDPOINT = 'http://127.0.0.1:9'; // nothing listens there: only nock answers
const BUCKET = 'odoo-backups';
// A pid no process has: above the kernel's pid_max (4194304 at most).
const DEAD_PID = 4_999_999;

function r2(prefix: string) {
  return new S3Backend(createS3Client({ endpoint: ENDPOINT, accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }, { connectMs: 1000, idleMs: 1000, maxAttempts: 1 }), BUCKET, prefix, 2000);
}

const uploadsXml = (prefix: string, uploads: { key: string; id: string; initiated: string }[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>${BUCKET}</Bucket><Prefix>${prefix}</Prefix><IsTruncated>false</IsTruncated>${uploads
    .map((u) => `<Upload><Key>${u.key}</Key><UploadId>${u.id}</UploadId><Initiated>${u.initiated}</Initiated></Upload>`)
    .join('')}</ListMultipartUploadsResult>`;

describe('removeLeftovers', () => {
  // Another file sharing this worker may have switched nock's interception off.
  beforeAll(() => {
    if (!nock.isActive()) nock.activate();
  });
  afterEach(() => {
    nock.cleanAll();
  });
  // The unit files share their workers (isolate: false): the next file gets Node's own HTTP back.
  afterAll(() => {
    nock.restore();
  });

  it("removes a killed run's staging, partial and restore-staging files, keeps archives, a live run's files and a running verify's folder, and records the counts", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-leftovers-'));
    const archive = 'odoo_backup_2026-01-02_03-04-05.tar.gz';
    await writeFile(join(dir, archive), 'complete');
    await mkdir(join(dir, `.odoo_backup_2026-01-02_03-04-05.${DEAD_PID}-0a1b2c3d.staging`));
    await writeFile(join(dir, `.odoo_backup_2026-01-02_03-04-05.${DEAD_PID}-0a1b2c3d.staging`, 'database.dump.000'), 'x');
    await writeFile(join(dir, `.${archive}.${DEAD_PID}-0a1b2c3d.partial`), 'half');
    await writeFile(join(dir, `.${archive}.partial`), 'half');
    await mkdir(join(dir, `.restore-odoo_restore_20260102030405.${DEAD_PID}-0a1b2c3d.staging`));
    // The parent of this test runs: its files belong to a live process.
    const live = `.odoo_backup_2026-01-03_03-04-05.${process.ppid}-0a1b2c3d.staging`;
    await mkdir(join(dir, live));
    await mkdir(join(dir, '.verify-0a1b2c3d4e5f.staging'));
    await writeFile(join(dir, 'notes.txt'), 'mine');

    const result = await removeLeftovers({ settings: { backupDir: dir }, r2: null }, new Date('2026-01-02T04:00:00Z'));

    expect(result).toMatchObject({ backupStaging: 1, partialArchives: 2, restoreStaging: 1, multipartUploads: 0, skipped: [live], failures: [] });
    expect((await readdir(dir)).sort()).toEqual([CLEANUP_RECORD, '.verify-0a1b2c3d4e5f.staging', live, archive, 'notes.txt'].sort());
    expect(await readFile(join(dir, archive), 'utf8')).toBe('complete');
    expect(await lastCleanup(dir)).toEqual({ at: '2026-01-02T04:00:00.000Z', backupStaging: 1, partialArchives: 2, restoreStaging: 1, multipartUploads: 0 });
  });

  it('nothing to clean: no record is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-leftovers-'));
    await writeFile(join(dir, 'odoo_backup_2026-01-02_03-04-05.tar.gz'), 'complete');
    const result = await removeLeftovers({ settings: { backupDir: dir }, r2: null });
    expect(result.failures).toEqual([]);
    expect(await readdir(dir)).toEqual(['odoo_backup_2026-01-02_03-04-05.tar.gz']);
    expect(await lastCleanup(dir)).toBeNull();
  });

  it('aborts the incomplete uploads of backups under the prefix older than 5 minutes, and only those', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-leftovers-'));
    const prefix = 'site/';
    const now = new Date('2026-01-02T04:00:00Z');
    const aborted: string[] = [];
    nock(ENDPOINT)
      .get(`/${BUCKET}/`)
      .query((q) => 'uploads' in q && q.prefix === prefix)
      .reply(
        200,
        uploadsXml(prefix, [
          { key: `${prefix}odoo_backup_2026-01-02_03-00-00.tar.gz`, id: 'old-1', initiated: '2026-01-02T03:00:05.000Z' },
          { key: `${prefix}odoo_backup_2026-01-02_03-58-00.tar.gz`, id: 'recent-1', initiated: '2026-01-02T03:58:05.000Z' },
          { key: `${prefix}pgbackrest/archive/x`, id: 'other-1', initiated: '2026-01-01T00:00:00.000Z' },
        ]),
        { 'Content-Type': 'application/xml' },
      )
      .delete(/.*/)
      .query((q) => typeof q.uploadId === 'string')
      .times(3)
      .reply(204, (uri) => {
        aborted.push(decodeURIComponent(uri));
        return '';
      });

    const result = await removeLeftovers({ settings: { backupDir: dir }, r2: r2(prefix) }, now);

    expect(result.failures).toEqual([]);
    expect(result.multipartUploads).toBe(1);
    expect(aborted.map((uri) => uri.split('&x-id=')[0])).toEqual([`/${BUCKET}/${prefix}odoo_backup_2026-01-02_03-00-00.tar.gz?uploadId=old-1`]);
    expect((await lastCleanup(dir))?.multipartUploads).toBe(1);
  });

  it('a store without ListMultipartUploads (s3rver answers 501 NotImplemented) is skipped without a failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-leftovers-'));
    nock(ENDPOINT)
      .get(`/${BUCKET}/`)
      .query((q) => 'uploads' in q)
      .reply(501, '<Error><Code>NotImplemented</Code><Message>not implemented</Message></Error>', { 'Content-Type': 'application/xml' });
    const result = await removeLeftovers({ settings: { backupDir: dir }, r2: r2('') });
    expect(result).toMatchObject({ multipartUploads: 0, failures: [] });
    expect(await readdir(dir)).toEqual([]);
  });
});
