import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

/** Discord closes an interaction that got no callback within 3 seconds ("Unknown interaction"). */
export const INTERACTION_CALLBACK_DEADLINE_MS = 3000;
/** An interaction token (follow-ups, edits of @original) works for 15 minutes. */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

export interface DiscordCall {
  method: string;
  /** The path after /api/v10, e.g. `/channels/123/messages`. */
  path: string;
  /** The route with ids replaced, e.g. `POST /channels/:id/messages`; faults are queued by it. */
  route: string;
  query: Record<string, string>;
  body: unknown;
  /** The `Authorization` header's token when it was `Bot <token>`. */
  botToken?: string;
  /** What the stand-in answered. */
  status: number;
  at: number;
}

export interface InteractionCallback {
  interactionId: string;
  /** InteractionResponseType: 4 reply, 5 deferred reply, 6 deferred update, 7 update, 8 autocomplete, 9 modal. */
  type: number;
  data?: Record<string, unknown>;
  /** Milliseconds between the dispatch and the callback. */
  ackMs: number;
}

export interface DiscordMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: Array<Record<string, unknown>>;
  components: Array<Record<string, unknown>>;
  flags: number;
  /** Set for interaction replies and follow-ups: the interaction token the message belongs to. */
  interactionToken?: string;
  /** Every state the message went through, first post first. */
  history: Array<{ content: string; embeds: Array<Record<string, unknown>>; components: Array<Record<string, unknown>> }>;
}

export type DiscordFault =
  | { status: 429; retryAfter: number; global?: boolean }
  | { status: 500 | 502 | 503 };

export interface StandInUser {
  id: string;
  username: string;
  /** Role ids the member has in the guild. */
  roles?: string[];
}

interface PendingInteraction {
  id: string;
  token: string;
  type: number;
  sentAt: number;
  channelId: string;
  callback?: InteractionCallback;
  expired: boolean;
  /** Key in `messages` of the message a component sat on (what an UPDATE_MESSAGE callback edits). */
  messageKey?: string;
  waiters: Array<(cb: InteractionCallback) => void>;
}

let snowflakeCounter = 0n;
/** Ids shaped like Discord's snowflakes (timestamp since the Discord epoch, shifted), unique per process. */
function snowflake(): string {
  snowflakeCounter += 1n;
  return (((BigInt(Date.now()) - 1420070400000n) << 22n) + snowflakeCounter).toString();
}

const ROUTES: Array<[RegExp, string]> = [
  [/^\/interactions\/[^/]+\/[^/]+\/callback$/, '/interactions/:id/:token/callback'],
  [/^\/webhooks\/[^/]+\/[^/]+\/messages\/[^/]+$/, '/webhooks/:app/:token/messages/:message'],
  [/^\/webhooks\/[^/]+\/[^/]+$/, '/webhooks/:app/:token'],
  [/^\/applications\/[^/]+\/guilds\/[^/]+\/commands$/, '/applications/:app/guilds/:guild/commands'],
  [/^\/applications\/[^/]+\/commands$/, '/applications/:app/commands'],
  [/^\/channels\/[^/]+\/messages\/[^/]+$/, '/channels/:id/messages/:message'],
  [/^\/channels\/[^/]+\/messages$/, '/channels/:id/messages'],
  [/^\/channels\/[^/]+$/, '/channels/:id'],
  [/^\/guilds\/[^/]+\/members\/[^/]+$/, '/guilds/:id/members/:user'],
  [/^\/guilds\/[^/]+\/roles$/, '/guilds/:id/roles'],
  [/^\/guilds\/[^/]+$/, '/guilds/:id'],
];

function routeOf(path: string): string {
  for (const [pattern, template] of ROUTES) if (pattern.test(path)) return template;
  return path;
}

/** Permission bits the stand-in's guild knows (Discord's values). */
export const PERMISSIONS = {
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  ReadMessageHistory: 1n << 16n,
  Administrator: 1n << 3n,
} as const;

/**
 * A stand-in for Discord on 127.0.0.1 that discord.js v14 really talks to: the REST API under
 * `/api/v10` (point DISCORD_API_URL / `rest.api` at `apiUrl`) and a Gateway WebSocket at the
 * URL GET /gateway/bot hands out. It speaks JSON without compression (what discord.js asks for
 * when zlib-sync is absent): HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats and their ACKs,
 * RESUME → RESUMED, and dispatches INTERACTION_CREATE for slash commands, buttons, modal submits
 * and autocomplete. Like Discord it answers an interaction's callback once, refuses it after 3 s,
 * lets the token edit and follow up for 15 minutes, checks the bot token on authenticated routes,
 * and answers queued faults (429 with `retry_after` and the X-RateLimit-* headers, or 5xx).
 * Every REST call is recorded.
 */
export class DiscordStandIn {
  readonly calls: DiscordCall[] = [];
  readonly callbacks: InteractionCallback[] = [];
  readonly messages = new Map<string, DiscordMessage>();
  readonly botToken: string;
  readonly applicationId = '1100000000000000001';
  readonly guildId = '1200000000000000001';
  readonly alertChannelId = '1300000000000000001';
  readonly commandChannelId = '1300000000000000002';
  readonly adminRoleId = '1400000000000000001';
  readonly botUser = { id: '1100000000000000001', username: 'odoo-ops', discriminator: '0', global_name: null, avatar: null, bot: true };
  /** Permissions the bot's role grants in the guild; tests may narrow it before doctor runs. */
  botPermissions = PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages | PERMISSIONS.EmbedLinks | PERMISSIONS.ReadMessageHistory;
  /** Gateway payloads the bot sent (IDENTIFY, heartbeats, RESUME…), in order. */
  readonly gatewayReceived: Array<{ op: number; d: unknown }> = [];
  heartbeatIntervalMs = 41_250;
  registeredCommands: Array<Record<string, unknown>> = [];

  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private sockets = new Set<WebSocket>();
  private identified = new Set<WebSocket>();
  private sequence = 0;
  private faults = new Map<string, DiscordFault[]>();
  private interactions = new Map<string, PendingInteraction>();
  private byToken = new Map<string, PendingInteraction>();
  private readyWaiters: Array<() => void> = [];
  private messageWaiters: Array<() => void> = [];

  constructor(options: { botToken?: string } = {}) {
    // Shaped like a real token (base64 id . timestamp . hmac) so redaction patterns can be tested.
    this.botToken = options.botToken ?? `${Buffer.from(this.botUser.id).toString('base64url')}.GstAnd.${randomBytes(20).toString('base64url')}`;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  /** The REST base as DISCORD_API_URL takes it (discord.js appends `/v10`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/gateway' && url.pathname !== '/gateway/') return socket.destroy();
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.onGatewayConnection(ws, url));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss?.close();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
  }

  /** The next `count` calls on `route` (e.g. `POST /channels/:id/messages`) answer this fault. */
  fail(route: string, fault: DiscordFault, count = 1): void {
    const queue = this.faults.get(route) ?? [];
    for (let i = 0; i < count; i++) queue.push(fault);
    this.faults.set(route, queue);
  }

  /** Resolves once a bot has identified on the Gateway (the client then becomes ready). */
  waitForIdentify(): Promise<void> {
    if (this.identified.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Resolves when `predicate` holds over the messages, re-checked on every post or edit. */
  async waitForMessage(predicate: (m: DiscordMessage) => boolean, timeoutMs = 30_000): Promise<DiscordMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = [...this.messages.values()].find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('discord stand-in: no message matched in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.messageWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Messages in a channel (replies and follow-ups included), oldest first. */
  channelMessages(channelId: string): DiscordMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId);
  }

  /** The reply of an interaction (its @original message), once the bot made one. */
  originalOf(token: string): DiscordMessage | undefined {
    return this.messages.get(`original:${token}`);
  }

  /** Makes an interaction's token expire now, as 15 minutes passing would. */
  expireToken(token: string): void {
    const pending = this.byToken.get(token);
    if (pending) pending.expired = true;
  }

  // ---- interactions the tests send ---------------------------------------------------------

  /** `/odoo <subcommand> [options]` typed by `user` in the command channel. */
  slashCommand(user: StandInUser, subcommand: string, options: Record<string, string> = {}) {
    return this.dispatchInteraction(2, user, {
      id: '1500000000000000001',
      name: 'odoo',
      type: 1,
      guild_id: this.guildId,
      options: [
        { type: 1, name: subcommand, options: Object.entries(options).map(([name, value]) => ({ type: 3, name, value })) },
      ],
    });
  }

  /** Autocomplete while `user` types `value` into `option` of `/odoo <subcommand>`. */
  autocomplete(user: StandInUser, subcommand: string, option: string, value: string) {
    return this.dispatchInteraction(4, user, {
      id: '1500000000000000001',
      name: 'odoo',
      type: 1,
      guild_id: this.guildId,
      options: [{ type: 1, name: subcommand, options: [{ type: 3, name: option, value, focused: true }] }],
    });
  }

  /** `user` presses the button `customId` on `message`. */
  pressButton(user: StandInUser, message: DiscordMessage, customId: string) {
    return this.dispatchInteraction(3, user, { custom_id: customId, component_type: 2 }, message);
  }

  /** `user` submits the modal `customId` with its text inputs' values. */
  submitModal(user: StandInUser, customId: string, fields: Record<string, string>, message?: DiscordMessage) {
    return this.dispatchInteraction(
      5,
      user,
      {
        custom_id: customId,
        components: Object.entries(fields).map(([id, value]) => ({
          type: 1,
          components: [{ type: 4, custom_id: id, value }],
        })),
      },
      message,
    );
  }

  private dispatchInteraction(type: number, user: StandInUser, data: Record<string, unknown>, message?: DiscordMessage) {
    const id = snowflake();
    const token = `aW50ZXJhY3Rpb246${id}:${randomBytes(24).toString('base64url')}`;
    const channelId = message?.channel_id ?? this.commandChannelId;
    const messageKey = message ? [...this.messages.entries()].find(([, m]) => m === message)?.[0] : undefined;
    const pending: PendingInteraction = { id, token, type, sentAt: Date.now(), channelId, expired: false, messageKey, waiters: [] };
    this.interactions.set(id, pending);
    this.byToken.set(token, pending);
    this.dispatch('INTERACTION_CREATE', {
      id,
      application_id: this.applicationId,
      type,
      data,
      guild_id: this.guildId,
      channel_id: channelId,
      channel: { id: channelId, type: 0, guild_id: this.guildId, name: 'ops', permissions: '2147483647' },
      member: this.member(user),
      token,
      version: 1,
      app_permissions: this.botPermissions.toString(),
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': this.guildId },
      context: 0,
      ...(message ? { message: this.apiMessage(message) } : {}),
    });
    const callback = new Promise<InteractionCallback>((resolve) => {
      if (pending.callback) resolve(pending.callback);
      else pending.waiters.push(resolve);
    });
    return { id, token, callback };
  }

  private member(user: StandInUser) {
    return {
      user: { id: user.id, username: user.username, discriminator: '0', global_name: user.username, avatar: null },
      roles: user.roles ?? [],
      permissions: '0',
      joined_at: '2024-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
      nick: null,
      avatar: null,
      premium_since: null,
      pending: false,
    };
  }

  // ---- Gateway ----------------------------------------------------------------------------

  /** Sends a dispatch (op 0) to every identified connection. */
  dispatch(t: string, d: unknown): void {
    this.sequence += 1;
    const frame = JSON.stringify({ op: 0, t, s: this.sequence, d });
    for (const ws of this.identified) ws.send(frame);
  }

  /** Closes every Gateway connection with `code` (4000 lets discord.js resume). */
  dropGateway(code = 4000): void {
    for (const ws of this.sockets) ws.close(code, 'stand-in dropped the connection');
  }

  private onGatewayConnection(ws: WebSocket, url: URL): void {
    this.sockets.add(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.identified.delete(ws);
    });
    if (url.searchParams.get('encoding') !== 'json' || url.searchParams.has('compress')) {
      // The stand-in speaks only uncompressed JSON; say so as Discord would for a bad encoding.
      ws.close(4002, 'Error while decoding payload.');
      return;
    }
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs, _trace: ['stand-in'] } }));
    ws.on('message', (raw) => {
      let payload: { op: number; d: any };
      try {
        payload = JSON.parse(raw.toString());
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      this.gatewayReceived.push({ op: payload.op, d: payload.op === 2 ? { ...payload.d, token: '[redacted]' } : payload.d });
      switch (payload.op) {
        case 1:
          ws.send(JSON.stringify({ op: 11 }));
          break;
        case 2:
          if (payload.d?.token !== this.botToken) {
            ws.close(4004, 'Authentication failed.');
            return;
          }
          this.identified.add(ws);
          this.sequence += 1;
          ws.send(
            JSON.stringify({
              op: 0,
              t: 'READY',
              s: this.sequence,
              d: {
                v: 10,
                user: { ...this.botUser, verified: true, mfa_enabled: false, flags: 0 },
                guilds: [{ id: this.guildId, unavailable: true }],
                session_id: randomBytes(16).toString('hex'),
                resume_gateway_url: this.gatewayUrl,
                shard: payload.d.shard ?? [0, 1],
                application: { id: this.applicationId, flags: 0 },
              },
            }),
          );
          this.sequence += 1;
          ws.send(JSON.stringify({ op: 0, t: 'GUILD_CREATE', s: this.sequence, d: this.guildCreate() }));
          for (const resolve of this.readyWaiters.splice(0)) resolve();
          break;
        case 6:
          if (payload.d?.token !== this.botToken) {
            ws.close(4004, 'Authentication failed.');
            return;
          }
          this.identified.add(ws);
          this.sequence += 1;
          ws.send(JSON.stringify({ op: 0, t: 'RESUMED', s: this.sequence, d: {} }));
          break;
        default:
          break;
      }
    });
  }

  private roles() {
    return [
      { id: this.guildId, name: '@everyone', permissions: '0', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
      { id: this.adminRoleId, name: 'ops-admins', permissions: '0', position: 1, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
      { id: '1400000000000000009', name: 'odoo-ops', permissions: this.botPermissions.toString(), position: 2, color: 0, hoist: false, managed: true, mentionable: false, flags: 0, tags: { bot_id: this.botUser.id } },
    ];
  }

  private guild() {
    return {
      id: this.guildId,
      name: 'Stand-in server',
      icon: null,
      owner_id: '1600000000000000099',
      roles: this.roles(),
      emojis: [],
      stickers: [],
      features: [],
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
    };
  }

  private channel(id: string) {
    return { id, type: 0, guild_id: this.guildId, name: id === this.alertChannelId ? 'odoo-alerts' : 'ops', position: 0, permission_overwrites: [], parent_id: null, nsfw: false, topic: null, last_message_id: null, rate_limit_per_user: 0 };
  }

  private guildCreate() {
    return {
      ...this.guild(),
      unavailable: false,
      joined_at: '2024-01-01T00:00:00.000Z',
      large: false,
      member_count: 2,
      members: [{ ...this.member({ id: this.botUser.id, username: this.botUser.username, roles: ['1400000000000000009'] }), user: this.botUser }],
      channels: [this.channel(this.alertChannelId), this.channel(this.commandChannelId)],
      threads: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  // ---- REST -------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    if ((req.headers['content-type'] ?? '').includes('application/json') && raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const auth = req.headers.authorization;
    const botToken = auth?.startsWith('Bot ') ? auth.slice(4) : undefined;
    const method = req.method ?? 'GET';
    const prefix = '/api/v10';
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const route = `${method} ${routeOf(path)}`;
    const call: DiscordCall = { method, path, route, query: Object.fromEntries(url.searchParams), body, botToken, status: 0, at: Date.now() };
    this.calls.push(call);
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };

    if (!url.pathname.startsWith(prefix)) return send(404, { message: '404: Not Found', code: 0 });

    const fault = this.faults.get(route)?.shift();
    if (fault) {
      if (fault.status === 429) {
        const scope = fault.global ? 'global' : 'user';
        return send(
          429,
          { message: 'You are being rate limited.', retry_after: fault.retryAfter, global: Boolean(fault.global) },
          {
            'Retry-After': String(Math.ceil(fault.retryAfter)),
            'X-RateLimit-Limit': '5',
            'X-RateLimit-Remaining': '0',
            'X-RateLimit-Reset-After': String(fault.retryAfter),
            'X-RateLimit-Bucket': `stand-in-${routeOf(path)}`,
            'X-RateLimit-Scope': scope,
            ...(fault.global ? { 'X-RateLimit-Global': 'true' } : {}),
          },
        );
      }
      return send(fault.status, { message: 'Service unavailable', code: 0 });
    }

    // Interaction callbacks and webhook (token) routes carry no bot token, as on Discord.
    const tokenRoute = route.includes('/interactions/') || route.includes('/webhooks/');
    if (!tokenRoute && botToken !== this.botToken) return send(401, { message: '401: Unauthorized', code: 0 });

    const parts = path.split('/').filter(Boolean);
    const rateHeaders = { 'X-RateLimit-Limit': '5', 'X-RateLimit-Remaining': '4', 'X-RateLimit-Reset-After': '1', 'X-RateLimit-Bucket': `stand-in-${routeOf(path)}` };

    switch (routeOf(path)) {
      case '/gateway/bot':
        return send(200, { url: `ws://127.0.0.1:${this.port}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 } });
      case '/gateway':
        return send(200, { url: `ws://127.0.0.1:${this.port}/gateway` });
      case '/users/@me':
        return send(200, { ...this.botUser, verified: true, flags: 0 });
      case '/applications/:app/guilds/:guild/commands':
      case '/applications/:app/commands': {
        if (parts[1] !== this.applicationId) return send(403, { message: 'Missing Access', code: 50001 });
        if (parts[2] === 'guilds' && parts[3] !== this.guildId) return send(403, { message: 'Missing Access', code: 50001 });
        if (method === 'PUT') {
          const list = Array.isArray(body) ? (body as Array<Record<string, unknown>>) : [];
          this.registeredCommands = list.map((c) => ({ ...c, id: snowflake(), application_id: this.applicationId, guild_id: this.guildId, version: snowflake(), default_member_permissions: c.default_member_permissions ?? null, type: c.type ?? 1 }));
          return send(200, this.registeredCommands, rateHeaders);
        }
        return send(200, this.registeredCommands, rateHeaders);
      }
      case '/interactions/:id/:token/callback': {
        const pending = this.interactions.get(parts[1]!);
        if (!pending || pending.token !== parts[2]) return send(404, { message: 'Unknown interaction', code: 10062 });
        if (pending.callback) return send(400, { message: 'Interaction has already been acknowledged.', code: 40060 });
        const ackMs = Date.now() - pending.sentAt;
        if (ackMs > INTERACTION_CALLBACK_DEADLINE_MS) return send(404, { message: 'Unknown interaction', code: 10062 });
        const { type, data } = body as { type: number; data?: Record<string, unknown> };
        const cb: InteractionCallback = { interactionId: pending.id, type, data, ackMs };
        pending.callback = cb;
        this.callbacks.push(cb);
        let message: DiscordMessage | undefined;
        if (type === 4 || type === 5) message = this.storeMessage(`original:${pending.token}`, pending.channelId, type === 4 ? data : { ...data, content: '' }, pending.token);
        // UPDATE_MESSAGE edits the message the button was on; its token then edits it as @original.
        if (type === 7 && pending.messageKey) {
          message = this.storeMessage(pending.messageKey, pending.channelId, data);
          this.messages.set(`original:${pending.token}`, message);
        }
        for (const resolve of pending.waiters.splice(0)) resolve(cb);
        if (call.query.with_response === 'true') {
          return send(200, {
            interaction: { id: pending.id, type: pending.type, response_message_id: message?.id, response_message_loading: type === 5, response_message_ephemeral: Boolean(((data?.flags as number) ?? 0) & 64) },
            ...(message ? { resource: { type, message: this.apiMessage(message) } } : {}),
          });
        }
        return send(204);
      }
      case '/webhooks/:app/:token/messages/:message':
      case '/webhooks/:app/:token': {
        const token = parts[2]!;
        const pending = this.byToken.get(token);
        if (parts[1] !== this.applicationId || !pending || pending.expired || Date.now() - pending.sentAt > INTERACTION_TOKEN_LIFETIME_MS) {
          return send(401, { message: 'Invalid Webhook Token', code: 50027 });
        }
        if (parts.length === 3 && method === 'POST') {
          const message = this.storeMessage(snowflake(), pending.channelId, body as Record<string, unknown>, token);
          return send(200, this.apiMessage(message), rateHeaders);
        }
        const key = parts[4] === '@original' ? `original:${token}` : parts[4]!;
        const existing = this.messages.get(key);
        if (!existing) return send(404, { message: 'Unknown Message', code: 10008 });
        if (method === 'PATCH') return send(200, this.apiMessage(this.storeMessage(key, existing.channel_id, body as Record<string, unknown>, token)), rateHeaders);
        if (method === 'GET') return send(200, this.apiMessage(existing));
        if (method === 'DELETE') {
          this.messages.delete(key);
          return send(204);
        }
        return send(405, { message: '405: Method Not Allowed', code: 0 });
      }
      case '/channels/:id/messages': {
        const channelId = parts[1]!;
        if (channelId !== this.alertChannelId && channelId !== this.commandChannelId) return send(404, { message: 'Unknown Channel', code: 10003 });
        if (method !== 'POST') return send(200, this.channelMessages(channelId).map((m) => this.apiMessage(m)));
        if (!(this.botPermissions & PERMISSIONS.SendMessages)) return send(403, { message: 'Missing Permissions', code: 50013 });
        return send(200, this.apiMessage(this.storeMessage(snowflake(), channelId, body as Record<string, unknown>)), rateHeaders);
      }
      case '/channels/:id/messages/:message': {
        const existing = this.messages.get(parts[3]!);
        if (!existing || existing.channel_id !== parts[1]) return send(404, { message: 'Unknown Message', code: 10008 });
        if (method === 'PATCH') return send(200, this.apiMessage(this.storeMessage(existing.id, existing.channel_id, body as Record<string, unknown>)), rateHeaders);
        return send(200, this.apiMessage(existing));
      }
      case '/channels/:id':
        if (parts[1] !== this.alertChannelId && parts[1] !== this.commandChannelId) return send(404, { message: 'Unknown Channel', code: 10003 });
        return send(200, this.channel(parts[1]!));
      case '/guilds/:id':
        if (parts[1] !== this.guildId) return send(404, { message: 'Unknown Guild', code: 10004 });
        return send(200, this.guild());
      case '/guilds/:id/roles':
        if (parts[1] !== this.guildId) return send(404, { message: 'Unknown Guild', code: 10004 });
        return send(200, this.roles());
      case '/guilds/:id/members/:user':
        if (parts[1] !== this.guildId) return send(404, { message: 'Unknown Guild', code: 10004 });
        if (parts[3] === this.botUser.id) return send(200, { ...this.member({ id: this.botUser.id, username: this.botUser.username, roles: ['1400000000000000009'] }), user: this.botUser });
        return send(404, { message: 'Unknown Member', code: 10007 });
      default:
        return send(404, { message: '404: Not Found', code: 0 });
    }
  }

  private storeMessage(key: string, channelId: string, data: Record<string, unknown> | undefined, interactionToken?: string): DiscordMessage {
    const existing = this.messages.get(key);
    const next = {
      content: (data?.content as string | undefined) ?? existing?.content ?? '',
      embeds: (data?.embeds as Array<Record<string, unknown>> | undefined) ?? existing?.embeds ?? [],
      components: (data?.components as Array<Record<string, unknown>> | undefined) ?? existing?.components ?? [],
    };
    const message: DiscordMessage = existing
      ? Object.assign(existing, next)
      : { id: key.startsWith('original:') ? snowflake() : key, channel_id: channelId, flags: (data?.flags as number) ?? 0, interactionToken, history: [], ...next };
    message.history.push({ ...next });
    this.messages.set(key, message);
    for (const wake of this.messageWaiters.splice(0)) wake();
    return message;
  }

  private apiMessage(m: DiscordMessage) {
    return {
      id: m.id,
      type: m.interactionToken ? 20 : 0,
      channel_id: m.channel_id,
      guild_id: this.guildId,
      author: this.botUser,
      content: m.content,
      embeds: m.embeds,
      components: m.components,
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: m.flags,
      webhook_id: m.interactionToken ? this.applicationId : undefined,
      application_id: m.interactionToken ? this.applicationId : undefined,
    };
  }
}
