import { createHmac } from 'node:crypto';

export interface SlashCommandRequest {
  /** The bot's `/slack/events` URL. */
  url: string;
  signingSecret: string;
  text: string;
  userId?: string;
  channelId?: string;
  responseUrl?: string;
  /** Seconds since the epoch; now by default. */
  timestamp?: number;
  /** Sign with another secret, as a forger would. */
  signWith?: string;
}

/** Slack's request signature: v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>"). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Posts a slash command `/odoo <text>` to the bot exactly as Slack would, signed. */
export async function postSlashCommand(request: SlashCommandRequest): Promise<Response> {
  const timestamp = request.timestamp ?? Math.floor(Date.now() / 1000);
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TESTTEAM',
    team_domain: 'test',
    channel_id: request.channelId ?? 'C0TESTCHAN',
    channel_name: 'ops',
    user_id: request.userId ?? 'U0ADMIN1',
    user_name: 'admin',
    command: '/odoo',
    text: request.text,
    api_app_id: 'A0TESTAPP',
    is_enterprise_install: 'false',
    response_url: request.responseUrl ?? 'http://127.0.0.1:9/unused',
    trigger_id: '1.2.3',
  }).toString();
  return fetch(request.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(request.signWith ?? request.signingSecret, timestamp, body),
    },
    body,
  });
}

export interface ButtonPressRequest {
  url: string;
  signingSecret: string;
  userId: string;
  actionId: string;
  value: string;
  channelId?: string;
  responseUrl?: string;
  /** The ts of the message holding the button. */
  messageTs?: string;
  /** The message's interactive state (checkboxes), as Slack sends it with the press. */
  state?: Record<string, unknown>;
}

/** The `block_actions` payload Slack sends when a user presses a button on one of the bot's messages. */
export function buttonPressPayload(request: Omit<ButtonPressRequest, 'url' | 'signingSecret'>): Record<string, unknown> {
  const channel = request.channelId ?? 'C0TESTCHAN';
  return {
    type: 'block_actions',
    team: { id: 'T0TESTTEAM', domain: 'test' },
    user: { id: request.userId, username: 'someone', team_id: 'T0TESTTEAM' },
    api_app_id: 'A0TESTAPP',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: request.messageTs ?? '1700000000.000100', channel_id: channel, is_ephemeral: false },
    trigger_id: '1.2.3',
    channel: { id: channel, name: 'ops' },
    message: { type: 'message', ts: request.messageTs ?? '1700000000.000100', text: 'odoo-ops' },
    ...(request.state ? { state: request.state } : {}),
    response_url: request.responseUrl ?? 'http://127.0.0.1:9/unused',
    actions: [
      { type: 'button', action_id: request.actionId, block_id: 'b1', value: request.value, text: { type: 'plain_text', text: 'x' }, action_ts: String(Date.now() / 1000) },
    ],
  };
}

/** Posts a button press to the bot exactly as Slack would: form field `payload`, signed. */
export async function postButtonPress(request: ButtonPressRequest): Promise<Response> {
  const timestamp = Math.floor(Date.now() / 1000);
  const body = new URLSearchParams({ payload: JSON.stringify(buttonPressPayload(request)) }).toString();
  return fetch(request.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(request.signingSecret, timestamp, body),
    },
    body,
  });
}
