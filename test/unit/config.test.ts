import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const BOT_ENV = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-secretbot',
  SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef',
  SLACK_ALERT_CHANNEL: 'C0ALERTS',
  SLACK_ADMINS: 'U0ADMIN1, U0ADMIN2',
};

function problemsOf(env: Record<string, string>, purpose: 'bot' | 'cli' = 'cli'): string[] {
  try {
    loadConfig(env, purpose);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('applies the defaults of the DESIGN table', () => {
    const config = loadConfig({}, 'cli');
    expect(config).toMatchObject({
      slack: null,
      slackApiUrl: 'https://slack.com/api/',
      docker: { host: '/var/run/docker.sock', composeProject: undefined, odooService: 'odoo', dbService: 'db' },
      odoo: { url: 'http://odoo:8069', dataDir: '/var/lib/odoo', stopTimeoutSeconds: 5 },
      postgres: { user: 'odoo', password: undefined, db: 'odoo' },
      addonsDir: './addons',
      backup: { dir: './backup', schedule: '0 2 */5 * *', retentionDays: 30 },
      timeZone: 'UTC',
      r2: null,
    });
  });

  it('builds the Slack and R2 settings when they are complete', () => {
    const config = loadConfig(
      {
        ...BOT_ENV,
        PORT: '8080',
        CF_R2_ENDPOINT: 'https://acct.r2.cloudflarestorage.com',
        CF_R2_BUCKET: 'backups',
        CF_R2_ACCESS_KEY_ID: 'AKID',
        CF_R2_SECRET_ACCESS_KEY: 'r2-secret',
        CF_R2_PREFIX: 'odoo/',
      },
      'bot',
    );
    expect(config.slack).toMatchObject({ port: 8080, admins: ['U0ADMIN1', 'U0ADMIN2'], alertChannel: 'C0ALERTS' });
    expect(config.r2).toEqual({ endpoint: 'https://acct.r2.cloudflarestorage.com', bucket: 'backups', accessKeyId: 'AKID', secretAccessKey: 'r2-secret', prefix: 'odoo/' });
    expect(config.secrets.sort()).toEqual(['0123456789abcdef0123456789abcdef', 'AKID', 'r2-secret', 'xoxb-1111-2222-secretbot'].sort());
  });

  it('treats empty values as unset, as a .env template leaves them', () => {
    expect(loadConfig({ CF_R2_ENDPOINT: '', CF_R2_BUCKET: '', PORT: '' }, 'cli').r2).toBeNull();
  });

  it('reports every problem at once, one line per variable, naming it and what is expected', () => {
    const problems = problemsOf({ ...BOT_ENV, PORT: 'eighty', BACKUP_SCHEDULE: 'every night', TZ: 'Mars/Olympus' }, 'bot');
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^PORT: expected a TCP port number between 1 and 65535, got "eighty"$/);
    expect(problems[1]).toMatch(/^BACKUP_SCHEDULE: expected a cron expression/);
    expect(problems[2]).toMatch(/^TZ: expected an IANA time zone/);
  });

  it('takes ODOO_STOP_TIMEOUT as whole seconds from 1 to 600, and says so when it is not', () => {
    expect(loadConfig({ ODOO_STOP_TIMEOUT: '30' }, 'cli').odoo.stopTimeoutSeconds).toBe(30);
    for (const given of ['0', '601', '2.5', '5s', '-1']) {
      expect(problemsOf({ ODOO_STOP_TIMEOUT: given })).toEqual([`ODOO_STOP_TIMEOUT: expected a whole number of seconds from 1 to 600, got "${given}"`]);
    }
  });

  it('asks the bot for its Slack settings, and says Socket Mode needs no signing secret', () => {
    expect(problemsOf({}, 'bot').map((p) => p.split(':')[0])).toEqual(['SLACK_BOT_TOKEN', 'SLACK_ALERT_CHANNEL', 'SLACK_ADMINS', 'SLACK_SIGNING_SECRET']);
    const { SLACK_SIGNING_SECRET: _, ...socketMode } = BOT_ENV;
    expect(loadConfig({ ...socketMode, SLACK_APP_TOKEN: 'xapp-1-A0-secretapp' }, 'bot').slack?.appToken).toBe('xapp-1-A0-secretapp');
  });

  it('never shows a secret value in a problem', () => {
    const problems = problemsOf({
      SLACK_BOT_TOKEN: 'xoxp-user-token-not-a-bot-token',
      SLACK_APP_TOKEN: 'not-an-app-token-value',
      SLACK_SIGNING_SECRET: 'zzz-not-hex-signing-secret',
      CF_R2_SECRET_ACCESS_KEY: 'lonely-r2-secret',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'SLACK_BOT_TOKEN',
      'SLACK_APP_TOKEN',
      'SLACK_SIGNING_SECRET',
      'CF_R2_ENDPOINT',
      'CF_R2_BUCKET',
      'CF_R2_ACCESS_KEY_ID',
    ]);
    const text = problems.join('\n');
    for (const secret of ['xoxp-user-token-not-a-bot-token', 'not-an-app-token-value', 'zzz-not-hex-signing-secret', 'lonely-r2-secret']) {
      expect(text).not.toContain(secret);
    }
  });

  it('rejects a channel name where a channel ID is expected, and malformed admin IDs', () => {
    const problems = problemsOf({ ...BOT_ENV, SLACK_ALERT_CHANNEL: '#ops', SLACK_ADMINS: 'U0ADMIN1,@bob' }, 'bot');
    expect(problems).toEqual([
      'SLACK_ALERT_CHANNEL: expected a channel ID such as C0123456789 (not a #name), got "#ops"',
      'SLACK_ADMINS: expected comma-separated Slack user IDs such as U0123456789,U0987654321, got "U0ADMIN1,@bob"',
    ]);
  });

  describe('*_FILE secrets (Docker secrets)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'odoo-ops-config-'));

    it('reads the secret from the file, without its trailing newline', () => {
      writeFileSync(join(dir, 'token'), 'xoxb-from-a-file\n');
      writeFileSync(join(dir, 'pg'), 'pg-password-from-file\n');
      const { SLACK_BOT_TOKEN: _, ...rest } = BOT_ENV;
      const config = loadConfig({ ...rest, SLACK_BOT_TOKEN_FILE: join(dir, 'token'), POSTGRES_PASSWORD_FILE: join(dir, 'pg') }, 'bot');
      expect(config.slack?.botToken).toBe('xoxb-from-a-file');
      expect(config.postgres.password).toBe('pg-password-from-file');
      expect(config.secrets).toContain('pg-password-from-file');
    });

    it('validates a secret read from a file like any other, without showing it', () => {
      writeFileSync(join(dir, 'bad-token'), 'xoxp-wrong-kind\n');
      const { SLACK_BOT_TOKEN: _, ...rest } = BOT_ENV;
      const problems = problemsOf({ ...rest, SLACK_BOT_TOKEN_FILE: join(dir, 'bad-token') }, 'bot');
      expect(problems).toEqual(['SLACK_BOT_TOKEN: expected a bot token starting with xoxb-']);
    });

    it('reports an unreadable file and a variable set twice', () => {
      writeFileSync(join(dir, 'r2'), 'r2-secret-in-file');
      const problems = problemsOf({
        CF_R2_SECRET_ACCESS_KEY_FILE: join(dir, 'missing'),
        POSTGRES_PASSWORD: 'inline-password',
        POSTGRES_PASSWORD_FILE: join(dir, 'r2'),
      });
      expect(problems).toContain('POSTGRES_PASSWORD: set either POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE, not both');
      expect(problems).toContain(`CF_R2_SECRET_ACCESS_KEY_FILE: expected a readable file holding the secret, cannot read ${join(dir, 'missing')} (ENOENT)`);
      expect(problems.join('\n')).not.toContain('inline-password');
    });
  });
});
