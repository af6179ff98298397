import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SlackConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createSlackApp, type SlackApp } from '../../src/slack/create-slack-app.js';
import { buttonPressPayload } from '../helpers/signed-slack-request.js';
import { slackTestDeps } from '../helpers/slack-test-deps.js';
import { freePort } from '../testbed/free-port.js';
import { SlackStandIn } from '../testbed/slack-stand-in.js';

const testbed = inject('testbed');
const ADMIN = 'U0ADMIN1';
const STRANGER = 'U0STRANGER';

/** A slash command as Slack delivers it in a `slash_commands` envelope. */
function slashPayload(text: string, userId: string, responseUrl: string) {
  return {
    token: 'deprecated-verification-token',
    team_id: 'T0TESTTEAM',
    team_domain: 'test',
    channel_id: 'C0TESTCHAN',
    channel_name: 'ops',
    user_id: userId,
    user_name: 'someone',
    command: '/odoo',
    text,
    api_app_id: 'A0TESTAPP',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: '1.2.3',
  };
}

describe('Slack Socket Mode against the stand-in (apps.connections.open + WebSocket)', () => {
  const slackStandIn = new SlackStandIn();
  let app: SlackApp;
  let port: number;
  let deps: ReturnType<typeof slackTestDeps>;

  beforeAll(async () => {
    await slackStandIn.start();
    port = await freePort();
    deps = slackTestDeps(testbed);
    const slack: SlackConfig = { botToken: slackStandIn.botToken, appToken: slackStandIn.appToken, port, apiUrl: slackStandIn.apiUrl, alertChannel: 'C0ALERTS', admins: [ADMIN] };
    app = createSlackApp(slack, createLogger({ secrets: [slack.botToken, slack.appToken!], level: 'warn' }), deps);
    await app.start();
    await slackStandIn.waitForSocket();
  });
  afterAll(async () => {
    await app?.stop();
    await slackStandIn.stop();
  });

  it('opened the connection with the app token (not the bot token) through SLACK_API_URL', async () => {
    const open = await slackStandIn.waitFor('apps.connections.open');
    expect(open.token).toBe(slackStandIn.appToken);
    expect(app.mode).toBe('socket');
  });

  it('acks a /odoo status envelope within 3 s and answers with the containers', async () => {
    // deliver() rejects an envelope not acked within Slack's 3 s, as Slack would count it undelivered.
    await slackStandIn.deliver('slash_commands', slashPayload('status', STRANGER, slackStandIn.responseUrl('sm-status')));
    const reply = await slackStandIn.waitFor('response_url', (c) => c.responseId === 'sm-status');
    const text = JSON.stringify(reply.body.blocks);
    expect(text).toContain('Container odoo');
    expect(text).toContain('Container db');
  });

  it('puts the ephemeral usage in the ack of /odoo help', async () => {
    const ack = await slackStandIn.deliver('slash_commands', slashPayload('help', STRANGER, slackStandIn.responseUrl('sm-help')));
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(String(ack.payload?.text)).toContain('/odoo status');
  });

  it('acks interactive envelopes and checks the presser: refused for a non-admin, started for an admin', async () => {
    const stranger = await slackStandIn.deliver('interactive', buttonPressPayload({ userId: STRANGER, actionId: 'backup_now', value: 'backup', responseUrl: slackStandIn.responseUrl('sm-press-1') }));
    const refusal = await slackStandIn.waitFor('response_url', (c) => c.responseId === 'sm-press-1');
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(refusal.body.text)).toContain(`<@${ADMIN}>`);
    expect(deps.started).toEqual([]);

    await slackStandIn.deliver('interactive', buttonPressPayload({ userId: ADMIN, actionId: 'backup_now', value: 'backup', responseUrl: slackStandIn.responseUrl('sm-press-2') }));
    await slackStandIn.waitFor('response_url', (c) => c.responseId === 'sm-press-2');
    expect(deps.started).toEqual([{ operation: 'backup', userId: ADMIN, channelId: 'C0TESTCHAN', name: undefined }]);
  });

  it('answers GET /healthz with 200 in Socket Mode too', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, mode: 'socket' });
  });
});
