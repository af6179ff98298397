import { createHash } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { asOperationError, OperationError } from '../../operation-error.js';
import { ADDONS_LEFTOVER } from '../../restore/restore-names.js';
import type { Services } from '../../services.js';
import { archiveDirectory } from '../archive-directory.js';
import { archiveManifest, backupInfo, FILESTORE_INDEX } from '../archive-manifest.js';
import { buildFilestoreIndex, formatFilestoreIndex, type FilestoreIndexEntry } from '../../attachment-store/filestore-index.js';
import { ArchiveWriter, type WrittenArchive } from '../archive-writer.js';
import type { BackupFilestore, SnapshotCheck } from '../snapshot-checks.js';
import { ChunkedSpool } from '../chunked-spool.js';
import { SnapshotSession, snapshotFacts, type SnapshotFacts } from '../../database/snapshot-session.js';
import { dumpDatabase, postgresVersion } from '../dump-database.js';
import { installedModules } from '../installed-modules.js';
import type { WrittenFile } from '../hashing-writer.js';
import type { BackupRun } from './backup-run.js';
import type { BackupTarget } from './choose-backup-name.js';

const TOOL = 'odoo-ops 0.1';

/** The Odoo version the odoo container declares (the official image sets ODOO_VERSION), or "unknown". */
async function odooVersion(services: Services): Promise<string> {
  try {
    const info = await (await services.stack.container(services.settings.odooService)).inspect();
    return info.Config.Env?.find((e) => e.startsWith('ODOO_VERSION='))?.split('=')[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Steps `dump`, `filestore`, `addons` and `archive`: pg_dump of the database
 * and tars of the filestore and the addons (or of `request.source`), at the
 * same time, each spooled in chunks that the archive takes in (freeing them)
 * while pg_dump still runs; then the dump, backup.info and manifest.json last;
 * the complete archive renamed to its name in BACKUP_DIR. Everything is awaited
 * even when one part fails, so nothing still writes during cleanup; cancelling
 * breaks every spool; a partial archive is aborted by the cleanup.
 */
export async function packArchive(run: BackupRun, target: BackupTarget): Promise<WrittenArchive & { warnings: string[] }> {
  const { services, request } = run;
  const { step, bytes } = run;
  const source = request.source;
  // The dump runs in a snapshot exported by a session of our own, which counts
  // every table's rows (and runs the other snapshot checks) in that same
  // snapshot while pg_dump streams: the manifest's figures are the dump's.
  const dumped = source ? { ...services.database, database: source.database } : services.database;
  // Said as stage `dump`, as pg_dump's own failures are (no progress event: the dump step reports those).
  const session = await SnapshotSession.open(dumped).catch((error) => {
    const e = asOperationError('dump', error);
    throw e.stage === 'dump' ? e : new OperationError('dump', e.userMessage, { cause: e });
  });
  run.cleanup.defer(() => session.close());
  const filestoreDir = source ? source.filestoreDir : join(services.settings.odooDataDir, 'filestore', services.settings.database);
  // Started once the writers below exist (they are awaited whatever fails).
  // Resolved when the filestore step knows what the archive holds (checks that need it wait for it).
  let filestoreKnown!: (held: BackupFilestore) => void;
  let filestoreFailed!: (error: unknown) => void;
  const filestore = new Promise<BackupFilestore>((resolve, reject) => ((filestoreKnown = resolve), (filestoreFailed = reject)));
  filestore.catch(() => {});
  const countedLater = () => Promise.all([
    snapshotFacts(session),
    Promise.all((services.snapshotChecks ?? []).map(async (check) => [check, await check.run(session, { database: dumped.database, filestoreDir, filestore })] as const)),
  ]);
  const spool = (member: string) => new ChunkedSpool(join(target.staging, member));
  const spools = { dump: spool('database.dump'), filestore: spool('filestore.tar.gz'), addons: spool('addons.tar.gz') };
  // Cancelling breaks every spool: pg_dump's stream and the tar writers then fail and stop.
  const cancel = () => Object.values(spools).forEach((s) => s.destroy());
  request.signal?.addEventListener('abort', cancel, { once: true });
  const writer = new ArchiveWriter(target.partial, target.folder, bytes('archive'));
  let finished = false;
  run.cleanup.defer(async () => {
    request.signal?.removeEventListener('abort', cancel);
    if (!finished) await writer.abort();
  });

  // BACKUP_FILESTORE=store: sync, then the archive carries only filestore.index (a set-aside source is always archived whole).
  const store = !source && services.settings.backupFilestore === 'store' ? services.attachmentStore ?? null : null;
  if (!source && services.settings.backupFilestore === 'store' && !store) throw new OperationError('filestore', 'BACKUP_FILESTORE=store needs the attachment store in R2, which is not configured');
  const filestoreDone = step<WrittenFile | StoreIndexMember>('filestore', () =>
    store ? storeIndexMember(services, store) : archiveDirectory(
      source
        ? { stage: 'filestore', cwd: source.filestoreDir, paths: ['.'], prefix: `filestore/${services.settings.database}`, missingHint: 'the set-aside filestore is missing' }
        : {
            stage: 'filestore',
            cwd: services.settings.odooDataDir,
            paths: [`filestore/${services.settings.database}`],
            missingHint: 'check ODOO_DATA_DIR (the Odoo data dir as mounted in the bot) and POSTGRES_DB',
          },
      spools.filestore,
      bytes('filestore'),
    ),
  );
  filestoreDone.then(
    (member) => filestoreKnown('index' in member ? { kind: 'store', entries: member.entries } : { kind: 'archive', dir: filestoreDir }),
    filestoreFailed,
  );
  const addonsDone = step('addons', () =>
    archiveDirectory(
      // Addons a restore set aside are not the current addons.
      { stage: 'addons', cwd: source?.addonsDir ?? services.settings.addonsDir, paths: ['.'], missingHint: 'check ADDONS_DIR', skipTopLevel: ADDONS_LEFTOVER },
      spools.addons,
      bytes('addons'),
    ),
  );
  const directoriesAppended = Promise.all([filestoreDone, addonsDone]).then(([filestoreMember]) =>
    step('archive', () =>
      Promise.all([
        'index' in filestoreMember ? writer.appendBuffer(FILESTORE_INDEX, filestoreMember.index) : writer.appendSpool('filestore.tar.gz', spools.filestore),
        writer.appendSpool('addons.tar.gz', spools.addons),
      ]),
    ),
  );
  const counted = countedLater();
  const settled = await Promise.allSettled([
    step('dump', async () => {
      try {
        return await dumpDatabase(dumped, spools.dump, bytes('dump'), session.snapshotId);
      } finally {
        // pg_dump imported the snapshot when it began; the counts may still run.
        await counted.catch(() => {});
        await session.close();
      }
    }),
    filestoreDone,
    addonsDone,
    postgresVersion(services.database).catch((error) => Promise.reject(asOperationError('dump', error))),
    odooVersion(services),
    directoriesAppended,
    counted.catch((error) => Promise.reject(asOperationError('dump', error))),
    // Read beside the dump, not in its snapshot: modules change only by an install or upgrade.
    installedModules(source ? { ...services.database, database: source.database } : services.database),
  ]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [dump, filestoreMember, addons, pgVersion, odoo, , [facts, checks], modules] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
    WrittenFile,
    WrittenFile | StoreIndexMember,
    WrittenFile,
    string,
    string,
    unknown,
    [SnapshotFacts, (readonly [SnapshotCheck, unknown])[]],
    Record<string, string | null> | null,
  ];

  return step('archive', async () => {
    const input = {
      name: target.name,
      database: services.settings.database,
      createdAt: new Date(run.started),
      postgresVersion: pgVersion,
      odooVersion: odoo,
      tool: TOOL,
      origin: source?.origin,
      modules,
      members:
        'index' in filestoreMember
          ? { 'database.dump': dump, [FILESTORE_INDEX]: filestoreMember.written, 'addons.tar.gz': addons }
          : { 'database.dump': dump, 'filestore.tar.gz': filestoreMember, 'addons.tar.gz': addons },
      ...('index' in filestoreMember ? { storeFiles: filestoreMember.storeFiles } : {}),
      facts,
    };
    const info = Buffer.from(backupInfo(input));
    const manifest = { ...Object.fromEntries(checks.map(([check, result]) => [check.key, result])), ...archiveManifest(input, { sizeBytes: info.length, sha256: createHash('sha256').update(info).digest('hex') }) };
    await writer.appendSpool('database.dump', spools.dump);
    await writer.appendBuffer('backup.info', info);
    // manifest.json comes last: it describes every member before it.
    await writer.appendBuffer('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    const complete = await writer.finish();
    finished = true;
    // Only a complete archive ever carries the backup name.
    await rename(target.partial, services.local.pathOf(target.name));
    const warnings = checks.map(([check, result]) => check.warning?.(result) ?? null).filter((w): w is string => w !== null);
    return { ...complete, warnings };
  });
}

interface StoreIndexMember {
  index: Buffer;
  entries: FilestoreIndexEntry[];
  written: WrittenFile;
  storeFiles: { files: number; bytes: number };
}

/**
 * The filestore of a backup of the second kind: a sync pass (the files the
 * archive names are in the store before the archive exists), then
 * filestore.index of the files the store holds. A failed upload fails the
 * backup (it would name files the store lacks); files whose content does not
 * match their name cannot be stored and are left out (the completeness check names the rows).
 */
async function storeIndexMember(services: Services, store: NonNullable<Services['attachmentStore']>): Promise<StoreIndexMember> {
  const dir = join(services.settings.odooDataDir, 'filestore', services.settings.database);
  const synced = await store.syncOnce(dir);
  if (synced.failed.length > 0) {
    throw new OperationError('filestore', `${synced.failed.length} file(s) could not be uploaded to the attachment store (${synced.failed[0]!.message}); the backup would not be complete`);
  }
  const { entries } = await buildFilestoreIndex(store, dir);
  const index = Buffer.from(formatFilestoreIndex(entries));
  return {
    index,
    entries,
    written: { sizeBytes: index.length, sha256: createHash('sha256').update(index).digest('hex') },
    storeFiles: { files: entries.length, bytes: entries.reduce((sum, e) => sum + e.size, 0) },
  };
}
