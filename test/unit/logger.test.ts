import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

const TOKEN = 'xoxb-7777-8888-bot-token-value';
const PASSWORD = 'pg-p4ss"word\\with-quotes';
const R2_SECRET = 'r2SecretAccessKey+/value0123456789';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('never writes a token, a password or an R2 secret, whether in fields, messages or errors', () => {
    const config = loadConfig(
      {
        SLACK_BOT_TOKEN: TOKEN,
        POSTGRES_PASSWORD: PASSWORD,
        CF_R2_ENDPOINT: 'https://acct.r2.cloudflarestorage.com',
        CF_R2_BUCKET: 'b',
        CF_R2_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        CF_R2_SECRET_ACCESS_KEY: R2_SECRET,
      },
      'cli',
    );
    const { lines, stream } = capture();
    const logger = createLogger({ secrets: config.secrets, destination: stream });

    logger.info({ config }, 'configuration loaded');
    logger.info({ headers: { authorization: `Bearer ${TOKEN}` } }, 'request');
    logger.warn(`connecting with password ${PASSWORD}`);
    const cause = new Error(`S3 said: signature mismatch for secret ${R2_SECRET}`);
    logger.error({ err: new Error(`auth.test failed for ${TOKEN} (password ${PASSWORD})`, { cause }) }, 'slack failed');
    logger.error({ err: cause, detail: { nested: { deeper: JSON.stringify({ secret: R2_SECRET }) } } }, 'upload failed');
    // A Slack token we were never told about is still recognised by its shape.
    logger.info({ pasted: 'xoxp-0000-unknown-user-token' }, 'odd input');

    expect(lines).toHaveLength(6);
    const everything = lines.join('\n');
    for (const secret of [TOKEN, PASSWORD, JSON.stringify(PASSWORD).slice(1, -1), R2_SECRET, 'AKIDEXAMPLE', 'xoxp-0000-unknown-user-token']) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).toContain('[redacted]');
    // Lines stay valid JSON with their fixed messages.
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual([
      'configuration loaded',
      'request',
      'connecting with password [redacted]',
      'slack failed',
      'upload failed',
      'odd input',
    ]);
  });
});
