import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSlashCommand } from '../helpers/signed-slack-request.js';
import { waitFor } from '../helpers/wait-for.js';
import { freePort } from '../testbed/free-port.js';
import { SlackStandIn } from '../testbed/slack-stand-in.js';

const BIN = fileURLToPath(new URL('../../bin/odoo-ops.js', import.meta.url));

describe('odoo-ops bot (npm start) as a process', () => {
  const slack = new SlackStandIn();
  beforeAll(() => slack.start());
  afterAll(() => slack.stop());

  it('serves /healthz and slash commands in HTTP mode, keeps secrets out of its log, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const signingSecret = 'feedfacefeedfacefeedfacefeedface';
    const child = spawn(process.execPath, [BIN, 'bot'], {
      env: {
        PATH: process.env.PATH ?? '',
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_ALERT_CHANNEL: 'C0ALERTS',
        SLACK_ADMINS: 'U0ADMIN1',
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      const health = await waitFor('the bot to answer /healthz', () => fetch(`http://127.0.0.1:${port}/healthz`));
      expect(health.status).toBe(200);
      const reply = await postSlashCommand({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret, text: 'nonsense' });
      expect(reply.status).toBe(200);
      expect(((await reply.json()) as { text: string }).text).toContain("I don't know `nonsense`");
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stderr).toContain('"msg":"bot started"');
    expect(stderr).toContain('"msg":"slack command"');
    expect(stderr).not.toContain(slack.botToken);
    expect(stderr).not.toContain(signingSecret);
  });
});
