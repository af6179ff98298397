/** One command as the user sees it, on Slack and on the terminal. */
export interface CommandSpec {
  name: string;
  summary: string;
  /** Usage after `/odoo`, or null when the command is terminal-only. */
  slack: string | null;
  /** Usage after `odoo-ops`, or null when the command is Slack-only. */
  cli: string | null;
}

/** The commands that exist, so help never offers one that does not run. */
export const COMMANDS: readonly CommandSpec[] = [
  { name: 'status', summary: 'health of the stack: containers, Odoo, database, backups, disk, R2', slack: 'status', cli: 'status [--json]' },
  { name: 'backup', summary: 'take a full backup now (database, filestore, addons) to local disk and R2', slack: 'backup', cli: 'backup [--json]' },
  { name: 'list', summary: 'the newest backups, their size, age and where they are stored', slack: 'list', cli: 'list [--json]' },
  {
    name: 'restore',
    summary: 'restore a backup: verified first, built beside the live data, switched over in seconds with automatic rollback',
    slack: 'restore <name>',
    cli: 'restore <name> --yes [--safety-backup] [--with-addons] [--json]',
  },
  {
    name: 'import',
    summary: "restore an Odoo database-manager / Odoo.sh zip (or .dump) through the safe restore: checked first, loaded stopping at the first SQL error, switched over with rollback",
    slack: null,
    cli: 'import <file.zip|file.dump> --yes [--new-uuid] [--safety-backup] [--json]',
  },
  { name: 'export', summary: "a backup as Odoo's database-manager zip (dump.sql, filestore/, manifest.json)", slack: null, cli: 'export <name> [--out FILE] [--no-filestore] [--json]' },
  { name: 'verify', summary: 'check one backup (checksums, archives, pg_restore --list) without restoring it', slack: null, cli: 'verify <name> [--json]' },
  // Terminal-only until `/odoo drill` is wired in src/slack (help offers only what runs).
  { name: 'drill', summary: 'restore drill: a backup (the newest, from R2) restored into a scratch database and checked, Odoo untouched', slack: null, cli: 'drill [name] [--json]' },
  { name: 'prune', summary: 'delete backups older than BACKUP_RETENTION_DAYS now (the newest is always kept), and the data kept by the last restore', slack: null, cli: 'prune [--dry-run] [--json]' },
  { name: 'sync', summary: 'one pass of the attachment store sync: new filestore files uploaded once to R2', slack: null, cli: 'sync [--json]' },
  { name: 'doctor', summary: 'check the setup: config, Docker, pg_dump, pg_restore, Odoo, BACKUP_DIR, R2, Slack (✔/✘ with what to do)', slack: null, cli: 'doctor [--json]' },
  { name: 'help', summary: 'show this usage', slack: 'help', cli: 'help' },
  { name: 'bot', summary: 'run the Slack bot (what `npm start` runs)', slack: null, cli: 'bot' },
];

export type Surface = 'slack' | 'cli';
