import type { DatabaseTarget } from './backup/dump-database.js';
import type { GfsPolicy } from './backup/gfs-retention.js';
import type { SnapshotCheck } from './backup/snapshot-checks.js';
import type { DatabaseAdmin } from './database/database-admin.js';
import type { StackContainers } from './docker/stack-containers.js';
import type { Preflight } from './health/preflight.js';
import type { StatusService } from './health/status-service.js';
import type { OperationLock } from './operation-lock.js';
import type { OdooControl } from './restore/odoo-control.js';
import type { LocalBackend } from './storage/local-backend.js';
import type { StorageBackend } from './storage/storage-backend.js';
import type { AttachmentStore } from './attachment-store/attachment-store.js';

/**
 * Everything commands may use, built once from the configuration by the
 * composition root (src/build-services.ts) and handed to them. Commands see
 * these interfaces only, never Docker, S3 or SQL clients.
 */
export interface Services {
  stack: StackContainers;
  /** BACKUP_DIR. */
  local: LocalBackend;
  /** Null when R2 is not configured: backups are local-only. */
  r2: StorageBackend | null;
  /** Local first, then R2 when configured. */
  backends: StorageBackend[];
  lock: OperationLock;
  /** The content-addressed copy of the filestore in R2; null (or absent) when R2 is not configured. */
  attachmentStore?: AttachmentStore | null;
  /** The Odoo database, reached through the DB container. */
  database: DatabaseTarget;
  /** Create, rename, drop and restore databases on the same server (restores). */
  databaseAdmin: DatabaseAdmin;
  /** Stop, start and health-wait the Odoo container (restores). */
  odoo: OdooControl;
  /** Health probes behind `/odoo status` and `odoo-ops status`. */
  status: StatusService;
  /** The checks behind `odoo-ops doctor`. */
  preflight: Preflight;
  /** Checks run in every backup's exported snapshot, their results written to manifest.json (none when unset). */
  snapshotChecks?: SnapshotCheck[];
  settings: {
    odooService: string;
    timeZone: string;
    schedule: string;
    retentionDays: number;
    /** BACKUP_KEEP_*: grandfather-father-son retention, applied instead of retentionDays when any is set. */
    keep?: GfsPolicy;
    /** DRILL_SCHEDULE: cron of the restore drill (the status verdict's "no drill passed within two intervals"). */
    drillSchedule?: string;
    database: string;
    odooUrl: string;
    odooDataDir: string;
    /** ODOO_STOP_TIMEOUT: seconds Odoo may take to stop before it is killed. */
    odooStopTimeoutSeconds: number;
    addonsDir: string;
    backupDir: string;
    /** ATTACHMENT_SYNC_INTERVAL: seconds between the bot's attachment store syncs (absent: no timer). */
    syncIntervalSeconds?: number;
    /** BACKUP_FILESTORE (absent means `archive`). */
    backupFilestore?: 'archive' | 'store';
  };
}
