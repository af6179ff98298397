import { createDockerClient } from '../services/docker/docker-client.js';
import { StackContainers } from '../services/docker/stack-containers.js';
import { Preflight } from '../services/health/preflight.js';
import { StatusService } from '../services/health/status-service.js';
import { DatabaseAdmin } from '../services/database/database-admin.js';
import { OperationLock } from '../services/operation-lock.js';
import { OdooControl } from '../services/restore/odoo-control.js';
import type { Services } from '../services/services.js';
import { LocalBackend } from '../services/storage/local-backend.js';
import { S3Backend } from '../services/storage/s3-backend.js';
import { createS3Client } from '../services/storage/s3-client.js';
import type { Config } from './config.js';
import { AttachmentStore } from '../services/attachment-store/attachment-store.js';
import { join } from 'node:path';
import { attachmentCompletenessCheck } from '../services/attachment-store/completeness-check.js';

/**
 * The composition root: the one place that turns configuration into connected
 * services. No module keeps a client of its own.
 */
export function buildServices(config: Config): Services {
  const docker = createDockerClient(config.docker.host);
  const local = new LocalBackend(config.backup.dir);
  const s3 = config.r2 ? { client: createS3Client(config.r2), bucket: config.r2.bucket, prefix: config.r2.prefix } : null;
  const r2 = s3 ? new S3Backend(s3.client, s3.bucket, s3.prefix) : null;
  const stack = new StackContainers(docker, config.docker);
  const backends = r2 ? [local, r2] : [local];
  const attachmentStore = s3
    ? new AttachmentStore({ client: s3.client, bucket: s3.bucket, bucketPrefix: s3.prefix, database: config.postgres.db, indexFile: join(config.backup.dir, `attachment-store.${config.postgres.db}.index`) })
    : null;
  const database = { stack, dbService: config.docker.dbService, user: config.postgres.user, database: config.postgres.db, password: config.postgres.password };
  return {
    stack,
    local,
    r2,
    backends,
    lock: new OperationLock(config.backup.dir),
    attachmentStore,
    database,
    // Every backup checks its attachments against the rows in the dump's snapshot (issue 15).
    snapshotChecks: [attachmentCompletenessCheck()],
    databaseAdmin: new DatabaseAdmin(database),
    odoo: new OdooControl(stack, config.docker.odooService, config.odoo.url, config.odoo.stopTimeoutSeconds),
    preflight: new Preflight({ stack, database, odooUrl: config.odoo.url, backupDir: config.backup.dir, local, r2: s3, r2Backend: r2 }),
    status: new StatusService({
      stack,
      backends,
      database: config.postgres.db,
      databaseUser: config.postgres.user,
      databasePassword: config.postgres.password,
      odooUrl: config.odoo.url,
      odooDataDir: config.odoo.dataDir,
      backupDir: config.backup.dir,
      schedule: config.backup.schedule,
      timeZone: config.timeZone,
      attachmentStore,
      syncIntervalSeconds: config.attachmentStore.syncIntervalSeconds,
      drillSchedule: config.backup.drillSchedule,
    }),
    settings: {
      odooService: config.docker.odooService,
      timeZone: config.timeZone,
      schedule: config.backup.schedule,
      retentionDays: config.backup.retentionDays,
      keep: config.backup.keep,
      drillSchedule: config.backup.drillSchedule,
      database: config.postgres.db,
      odooUrl: config.odoo.url,
      odooDataDir: config.odoo.dataDir,
      odooStopTimeoutSeconds: config.odoo.stopTimeoutSeconds,
      addonsDir: config.addonsDir,
      backupDir: config.backup.dir,
      backupFilestore: config.attachmentStore.backupFilestore,
      syncIntervalSeconds: config.attachmentStore.syncIntervalSeconds,
    },
  };
}
