import { describe, expect, it } from 'vitest';
import { checkBackupName } from '../../commands/restore.js';

describe('checkBackupName: the one place a typed backup name is checked', () => {
  it('accepts the archive name, and the folder name without .tar.gz, as the archive name', () => {
    expect(checkBackupName('odoo_backup_2026-01-31_02-00-00.tar.gz')).toEqual({ ok: true, name: 'odoo_backup_2026-01-31_02-00-00.tar.gz' });
    expect(checkBackupName('odoo_backup_2026-01-31_02-00-00')).toEqual({ ok: true, name: 'odoo_backup_2026-01-31_02-00-00.tar.gz' });
    expect(checkBackupName(' odoo_backup_2026-01-31_02-00-00 ')).toEqual({ ok: true, name: 'odoo_backup_2026-01-31_02-00-00.tar.gz' });
  });

  it.each([undefined, '', 'latest', 'odoo_backup_2026-02-30_02-00-00', 'odoo_backup_2026-01-31_02-00-00.tar', 'odoo_backup_2026-01-31_02-00-00.tar.gz.tar.gz', '../odoo_backup_2026-01-31_02-00-00'])(
    'refuses %j with a usage error saying what is expected',
    (name) => {
      const checked = checkBackupName(name);
      expect(checked.ok).toBe(false);
      if (checked.ok) return;
      expect(checked.error.stage).toBe('usage');
      expect(checked.error.userMessage).toMatch(/^expected a backup name such as odoo_backup_2026-01-31_02-00-00\.tar\.gz/);
    },
  );

  it('echoes a refused name escaped and cut', () => {
    const long = checkBackupName(`odoo_backup_${'9'.repeat(10_000)}`);
    expect(!long.ok && long.error.userMessage.length).toBeLessThan(200);
    const coloured = checkBackupName('odoo\n\x1b[31m');
    expect(!coloured.ok && coloured.error.userMessage).toContain('not "odoo\\n\\x1b[31m"');
  });
});
