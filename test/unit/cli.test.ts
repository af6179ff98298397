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

  const NAME_EXPECTED = 'expected a backup name such as odoo_backup_2026-01-31_02-00-00.tar.gz';
  // Every subcommand: an unknown option, an extra argument, a missing or bad name. None needs a configuration.
  const usageErrors: [string[], string][] = [
    [['frobnicate'], 'odoo-ops: unknown command "frobnicate"'],
    [[], 'odoo-ops: expected a command'],
    ...['help', 'status', 'list', 'backup', 'prune', 'doctor', 'bot'].flatMap((c): [string[], string][] => [
      [[c, '--verbose'], `odoo-ops ${c}: unknown option "--verbose" for ${c}`],
      [[c, 'extra'], `odoo-ops ${c}: unexpected argument "extra" for ${c}`],
    ]),
    [['backup', '--json=yes'], 'odoo-ops backup: option --json takes no value'],
    ...['restore', 'verify'].flatMap((c): [string[], string][] => [
      [[c, 'odoo_backup_2026-01-31_02-00-00', '--verbose'], `odoo-ops ${c}: unknown option "--verbose" for ${c}`],
      [[c, 'odoo_backup_2026-01-31_02-00-00', 'extra'], `odoo-ops ${c}: unexpected argument "extra" for ${c}`],
      [[c], `odoo-ops ${c}: ${NAME_EXPECTED}; the names are in \`list\``],
      [[c, 'latest'], `odoo-ops ${c}: ${NAME_EXPECTED}, not "latest"; the names are in \`list\``],
      [[c, 'odoo_backup_2026-02-30_02-00-00'], `odoo-ops ${c}: ${NAME_EXPECTED}, not "odoo_backup_2026-02-30_02-00-00"; the names are in \`list\``],
    ]),
  ];

  it.each(usageErrors)('rejects %j: one line on stderr, then the usage, exit 2', async (argv, line) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.split('\n')[0]).toBe(line);
    expect(err).toContain('\n\nUsage: odoo-ops <command>');
  });

  // help and bot take no --json (it is then itself the unknown option), nor does a missing command.
  const withJson = usageErrors.filter(([argv]) => argv.length > 0 && !['help', 'bot'].includes(argv[0]!));
  it.each(withJson)('rejects %j with --json: exactly one JSON document on stdout, one line on stderr, exit 2', async (argv, line) => {
    const { code, out, err } = await run([...argv, '--json']);
    expect(code).toBe(2);
    expect(err).toBe(`${line}\n`);
    const message = line.replace(/^odoo-ops( \w+)?: /, '');
    expect(out).toBe(`${JSON.stringify({ error: { stage: 'usage', message } })}\n`);
  });

  it('echoes a 10 kB argument or one with control characters short and escaped', async () => {
    const long = await run(['restore', 'x'.repeat(10_000), '--json']);
    expect(long.code).toBe(2);
    expect(long.err.length).toBeLessThan(300);
    expect(long.out.length).toBeLessThan(300);
    expect(JSON.parse(long.out).error.message).toContain(`not "${'x'.repeat(79)}…"`);

    const colours = await run(['verify', 'odoo\n\x1b[31mred']);
    expect(colours.code).toBe(2);
    expect(colours.err.split('\n')[0]).toBe(`odoo-ops verify: ${NAME_EXPECTED}, not "odoo\\n\\x1b[31mred"; the names are in \`list\``);
    expect(colours.err).not.toContain('\x1b');

    for (const argv of [['\x1b[2J\u202e'.repeat(3000)], ['status', `--${'\r'.repeat(5000)}`], ['list', '\n'.repeat(10_000)]]) {
      const { code, err } = await run(argv);
      expect(code).toBe(2);
      const [first] = err.split('\n');
      expect(first!.length, first).toBeLessThan(150);
      expect(err).not.toMatch(/[\r\x1b\u202e]/);
    }
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

  it('logs nothing for a usage error: with --json, stderr is one line and stdout one JSON document', () => {
    for (const argv of [['restore', 'latest', '--yes', '--json'], ['verify', '--json'], ['status', '--frobnicate', '--json']]) {
      const result = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, cwd: mkdtempSync(join(tmpdir(), 'odoo-ops-cli-')) });
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ error: { stage: 'usage' } });
    }
  }, 60_000);

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
