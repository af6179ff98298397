import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createRedactor } from '../../src/redact.js';

// Shaped like a real bot token: base64 of the bot's id, a timestamp, an HMAC.
const TOKEN = `${Buffer.from('1100000000000000001').toString('base64url')}.GstAnd.${'x'.repeat(27)}`;
const DISCORD_ENV = {
  DISCORD_BOT_TOKEN: TOKEN,
  DISCORD_APPLICATION_ID: '1100000000000000001',
  DISCORD_GUILD_ID: '1200000000000000001',
  DISCORD_ALERT_CHANNEL: '1300000000000000001',
  DISCORD_ADMINS: '1600000000000000001, 1600000000000000002',
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

describe('Discord configuration', () => {
  it('is off when no DISCORD_* variable is set', () => {
    expect(loadConfig({}, 'cli').discord).toBeNull();
  });

  it('runs the bot with Discord alone: Slack becomes optional', () => {
    const config = loadConfig(DISCORD_ENV, 'bot');
    expect(config.slack).toBeNull();
    expect(config.discord).toEqual({
      botToken: TOKEN,
      applicationId: '1100000000000000001',
      guildId: '1200000000000000001',
      alertChannel: '1300000000000000001',
      admins: ['1600000000000000001', '1600000000000000002'],
      adminRole: undefined,
      publicKey: undefined,
      apiUrl: 'https://discord.com/api',
    });
  });

  it('accepts an admin role instead of admin users, and a REST base for tests', () => {
    const { DISCORD_ADMINS: _, ...rest } = DISCORD_ENV;
    const config = loadConfig({ ...rest, DISCORD_ADMIN_ROLE: '1400000000000000001', DISCORD_API_URL: 'http://127.0.0.1:9/api/' }, 'bot');
    expect(config.discord).toMatchObject({ admins: [], adminRole: '1400000000000000001', apiUrl: 'http://127.0.0.1:9/api' });
  });

  it('still requires Slack\'s settings for the bot when neither surface is configured, naming Discord as the other way', () => {
    const problems = problemsOf({}, 'bot');
    expect(problems.find((p) => p.startsWith('SLACK_BOT_TOKEN:'))).toMatch(/configure Discord instead/);
  });

  it('reports every incomplete or malformed Discord setting at once, without echoing the token', () => {
    const problems = problemsOf({ DISCORD_BOT_TOKEN: 'not-a-token-secret', DISCORD_GUILD_ID: '#ops', DISCORD_PUBLIC_KEY: 'abc' }, 'bot');
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['DISCORD_ADMINS', 'DISCORD_ALERT_CHANNEL', 'DISCORD_APPLICATION_ID', 'DISCORD_BOT_TOKEN', 'DISCORD_GUILD_ID', 'DISCORD_PUBLIC_KEY'].sort(),
    );
    expect(problems.join('\n')).not.toContain('not-a-token-secret');
    expect(problems.find((p) => p.startsWith('DISCORD_GUILD_ID:'))).toContain('got "#ops"');
  });

  it('requires both surfaces\' settings when both are partly set', () => {
    const problems = problemsOf({ ...DISCORD_ENV, SLACK_BOT_TOKEN: 'xoxb-1-2-3' }, 'bot');
    expect(problems.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['SLACK_ALERT_CHANNEL', 'SLACK_ADMINS']));
  });

  it('counts the bot token among the secrets, and redaction removes Discord tokens it was never told', () => {
    expect(loadConfig(DISCORD_ENV, 'bot').secrets).toContain(TOKEN);
    const redact = createRedactor([]);
    const other = `${Buffer.from('987654321098765432').toString('base64url')}.Gabcde.${'y'.repeat(38)}`;
    expect(redact(`login failed for ${other}`)).toBe('login failed for [redacted]');
    expect(redact('PATCH /api/v10/webhooks/1100000000000000001/aW50ZXJhY3Rpb246MTIzNDU2:abcdefghijklmnop/messages/@original')).toBe(
      'PATCH /api/v10/webhooks/1100000000000000001/[redacted]/messages/@original',
    );
  });
});
