import { describe, expect, it } from 'vitest';
import { backupTime, formatBackupName, isBackupName } from '../../services/backup/backup-name.js';

describe('backup names', () => {
  it('uses wall-clock time in TZ, and reads it back to the same instant', () => {
    const at = new Date('2026-03-29T01:30:05Z'); // the night Brussels moves to summer time
    expect(formatBackupName(at, 'UTC')).toBe('odoo_backup_2026-03-29_01-30-05.tar.gz');
    expect(formatBackupName(at, 'Europe/Brussels')).toBe('odoo_backup_2026-03-29_03-30-05.tar.gz');
    expect(backupTime('odoo_backup_2026-03-29_03-30-05.tar.gz', 'Europe/Brussels')).toEqual(at);
    expect(backupTime('odoo_backup_2026-11-24_14-00-00.tar.gz', 'America/New_York')).toEqual(new Date('2026-11-24T19:00:00Z'));
  });

  it('accepts only real dates in the exact pattern', () => {
    expect(isBackupName('odoo_backup_2026-02-28_23-59-59.tar.gz')).toBe(true);
    for (const name of [
      'odoo_backup_2026-02-30_00-00-00.tar.gz',
      'odoo_backup_2026-13-01_00-00-00.tar.gz',
      'odoo_backup_2026-01-01_24-00-00.tar.gz',
      'odoo_backup_2026-01-01_00-00-00.tar.gz.bak',
      'x/odoo_backup_2026-01-01_00-00-00.tar.gz',
      'odoo_backup_2026-01-01.tar.gz',
    ]) {
      expect(isBackupName(name), name).toBe(false);
      expect(backupTime(name, 'UTC')).toBeNull();
    }
  });
});
