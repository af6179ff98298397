import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const BIN = fileURLToPath(new URL('../../bin/odoo-ops.js', import.meta.url));

const run = (argv: string[], env: Record<string, string> = {}) => runCli(argv, env, mkdtempSync(join(tmpdir(), 'odoo-ops-cli-')));

describe('odoo-ops CLI', () => {
  it('prints usage on stdout for help and exits 0', async () => {
    const { code, out, err } = await run(['help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: odoo-ops <command>');
    expect(out).toMatch(/odoo-ops help\s+show this usage/);
    expect(err).toBe('');
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['help', '--verbose'], "Unknown option '--verbose'"],
    [['help', 'extra'], 'unexpected argument "extra" for help'],
    [[], 'expected a command'],
  ])('rejects %j with usage on stderr and exit 2', async (argv, message) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(message);
    expect(err).toContain('Usage: odoo-ops <command>');
  });
});

// Each test starts node processes that load the whole CLI: seconds on a loaded 2-core machine.
describe('the odoo-ops binary (what npx odoo-ops and npm start run)', { timeout: 20_000 }, () => {
  it('exits 0 for help and 2 for an unknown command', () => {
    expect(spawnSync(process.execPath, [BIN, 'help']).status).toBe(0);
    const unknown = spawnSync(process.execPath, [BIN, 'frobnicate'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    // Two Node start-ups: on a loaded 2-core machine that exceeds the default 5 s.
  }, 30_000);

  it('runs as an executable through its shebang (env -S with the malloc settings and node flags), as `odoo-ops` on PATH does', () => {
    const direct = spawnSync(BIN, ['help'], { encoding: 'utf8' });
    expect(direct.stderr).toBe('');
    expect(direct.status).toBe(0);
    expect(direct.stdout).toContain('Usage: odoo-ops <command>');
  });

  it('reads .env from the working directory and prints one line per bad variable, without secrets, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'odoo-ops-env-'));
    writeFileSync(
      join(dir, '.env'),
      [
        'SLACK_BOT_TOKEN=xoxp-this-is-a-user-token-secret',
        'SLACK_SIGNING_SECRET=0123456789abcdef0123456789abcdef',
        'SLACK_ALERT_CHANNEL=C0ALERTS',
        'SLACK_ADMINS=U0ADMIN1',
        'PORT=http',
        'BACKUP_RETENTION_DAYS=-3',
      ].join('\n'),
    );
    const env = { PATH: process.env.PATH ?? '' };
    const result = spawnSync(process.execPath, [BIN, 'bot'], { cwd: dir, env, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'SLACK_BOT_TOKEN: expected a bot token starting with xoxb-',
      'PORT: expected a TCP port number between 1 and 65535, got "http"',
      'BACKUP_RETENTION_DAYS: expected a whole number of days, 1 or more, got "-3"',
    ]);
  });
});
