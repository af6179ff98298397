import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const R2 = { CF_R2_ENDPOINT: 'https://acct.r2.cloudflarestorage.com', CF_R2_BUCKET: 'b', CF_R2_ACCESS_KEY_ID: 'k', CF_R2_SECRET_ACCESS_KEY: 's' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, 'cli');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('attachment store settings', () => {
  it('defaults: a sync every 60 s, archives carrying the filestore', () => {
    expect(loadConfig({}, 'cli').attachmentStore).toEqual({ syncIntervalSeconds: 60, backupFilestore: 'archive' });
    expect(loadConfig({ ...R2, BACKUP_FILESTORE: 'store', ATTACHMENT_SYNC_INTERVAL: '300' }, 'cli').attachmentStore).toEqual({ syncIntervalSeconds: 300, backupFilestore: 'store' });
  });

  it('names a bad value by variable, and refuses BACKUP_FILESTORE=store without R2', () => {
    expect(problems({ BACKUP_FILESTORE: 'tarball', ATTACHMENT_SYNC_INTERVAL: 'often' }).join('\n')).toMatch(/ATTACHMENT_SYNC_INTERVAL[\s\S]*BACKUP_FILESTORE|BACKUP_FILESTORE[\s\S]*ATTACHMENT_SYNC_INTERVAL/);
    expect(problems({ BACKUP_FILESTORE: 'store' }).join('\n')).toMatch(/BACKUP_FILESTORE: "store" .*CF_R2_ENDPOINT/);
  });
});
