import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SlackCall {
  /** Web API method (`chat.postMessage`…) or `response_url`. */
  method: string;
  /** Form fields or JSON body; `blocks`/`attachments` sent as JSON strings are parsed. */
  body: Record<string, unknown>;
  /** The bearer token the call carried, if any. */
  token?: string;
  /** For response_url posts: the id in the URL. */
  responseId?: string;
  /** For chat.postMessage: the ts the stand-in gave the message (what chat.update then names). */
  ts?: string;
  at: number;
}

/** What the bot answered to one Socket Mode envelope. */
export interface EnvelopeAck {
  envelope_id: string;
  /** The response the bot put in its ack (e.g. an ephemeral help message), if any. */
  payload?: Record<string, unknown>;
  /** Milliseconds between sending the envelope and receiving its ack. */
  ackMs: number;
}

/** Slack requires every Socket Mode envelope to be acked within 3 seconds. */
export const ENVELOPE_ACK_DEADLINE_MS = 3000;

export type SlackFault = { status: 429; retryAfter: number } | { error: string };

const FIELDS_HOLDING_JSON = ['blocks', 'attachments', 'metadata'];

/**
 * A stand-in for Slack's Web API on 127.0.0.1 (point SLACK_API_URL at `apiUrl`)
 * that records every call. It answers auth.test, chat.postMessage, chat.update,
 * chat.postEphemeral and conversations.info like Slack does, checks the bot token, and answers
 * `response_url` posts under `/response/<id>`. Faults can be queued per method.
 */
export class SlackStandIn {
  readonly calls: SlackCall[] = [];
  readonly botToken: string;
  readonly teamId = 'T0TESTTEAM';
  readonly botUserId = 'U0BOTUSER';
  private server: Server | null = null;
  private faults = new Map<string, SlackFault[]>();
  private ts = 1_700_000_000;

  readonly appToken: string;
  private wss: WebSocketServer | null = null;
  private sockets = new Set<WebSocket>();
  private pendingAcks = new Map<string, (ack: Record<string, unknown>) => void>();

  constructor(options: { botToken?: string; appToken?: string } = {}) {
    this.botToken = options.botToken ?? 'xoxb-test-stand-in-token';
    this.appToken = options.appToken ?? 'xapp-1-A0TESTAPP-1-test-stand-in-app-token';
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A fresh response_url for a slash command or an interaction. */
  responseUrl(id = `r${this.calls.length}-${Date.now()}`): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Socket Mode: apps.connections.open hands out ws://…/socket-mode/<ticket>; the bot connects there.
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      if (!/^\/socket-mode\//.test(req.url ?? '')) return socket.destroy();
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const ws of this.sockets) ws.terminate();
    this.wss?.close();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
    this.server = null;
  }

  /** The next call of `method` fails as told (HTTP 429 with Retry-After, or `{ok: false, error}`). */
  failNext(method: string, fault: SlackFault): void {
    this.faults.set(method, [...(this.faults.get(method) ?? []), fault]);
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Waits until a call of `method` matching `predicate` has been recorded. */
  async waitFor(method: string, predicate: (call: SlackCall) => boolean = () => true, timeoutMs = 5000): Promise<SlackCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find((c) => c.method === method && predicate(c));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${method} call arrived within ${timeoutMs} ms; calls: ${this.calls.map((c) => c.method).join(', ')}`);
      await sleep(20);
    }
  }

  /** Whether a Socket Mode client is connected (and was sent `hello`). */
  get socketConnected(): boolean {
    return this.sockets.size > 0;
  }

  /** Waits until the bot has opened its Socket Mode connection. */
  async waitForSocket(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.socketConnected) {
      if (Date.now() > deadline) throw new Error(`no Socket Mode connection within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /**
   * Sends one envelope (`slash_commands`, `interactive`…) over the Socket Mode
   * connection like Slack does and resolves with the bot's ack. Rejects when the
   * bot does not ack this `envelope_id` within 3 seconds, as Slack would then
   * treat the delivery as failed.
   */
  async deliver(type: 'slash_commands' | 'interactive', payload: Record<string, unknown>): Promise<EnvelopeAck> {
    const [ws] = this.sockets;
    if (!ws) throw new Error('no Socket Mode connection');
    const envelopeId = randomUUID();
    const sent = Date.now();
    const acked = new Promise<Record<string, unknown>>((resolve) => this.pendingAcks.set(envelopeId, resolve));
    ws.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type === 'slash_commands' }));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`envelope ${envelopeId} (${type}) was not acked within ${ENVELOPE_ACK_DEADLINE_MS} ms`)), ENVELOPE_ACK_DEADLINE_MS);
    });
    try {
      const ack = await Promise.race([acked, late]);
      return { envelope_id: envelopeId, payload: ack.payload as Record<string, unknown> | undefined, ackMs: Date.now() - sent };
    } finally {
      clearTimeout(timer);
      this.pendingAcks.delete(envelopeId);
    }
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (data) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        return;
      }
      const id = message.envelope_id;
      if (typeof id === 'string') this.pendingAcks.get(id)?.(message);
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'stand-in', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0TESTAPP' } }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = parseBody(raw, req.headers['content-type'] ?? '');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };

    const response = /^\/response\/([^/]+)$/.exec(url.pathname);
    if (response && req.method === 'POST') {
      this.calls.push({ method: 'response_url', body, responseId: response[1], at: Date.now() });
      return json(200, { ok: true });
    }
    const api = /^\/api\/([a-zA-Z.]+)$/.exec(url.pathname);
    if (!api || req.method !== 'POST') return json(404, { ok: false, error: 'unknown_method' });
    const method = api[1]!;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (body.token as string | undefined);
    const call: SlackCall = { method, body, token, at: Date.now() };
    this.calls.push(call);

    if (method === 'apps.connections.open') {
      // Slack wants the app-level token here, never the bot token.
      if (token !== this.appToken) return json(200, { ok: false, error: 'invalid_auth' });
      return json(200, { ok: true, url: `ws://127.0.0.1:${this.port}/socket-mode/${randomUUID()}` });
    }
    const fault = this.faults.get(method)?.shift();
    if (fault && 'status' in fault) return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
    if (fault) return json(200, { ok: false, error: fault.error });
    if (token !== this.botToken) return json(200, { ok: false, error: 'invalid_auth' });

    const ts = `${this.ts++}.000100`;
    switch (method) {
      case 'auth.test':
        return json(200, { ok: true, url: 'https://test.slack.invalid/', team: 'Test', user: 'odoo-ops', team_id: this.teamId, user_id: this.botUserId, bot_id: 'B0TESTBOT' });
      case 'chat.postMessage':
        call.ts = ts;
        return json(200, { ok: true, channel: body.channel, ts, message: { text: body.text, blocks: body.blocks, ts } });
      case 'chat.update':
        return json(200, { ok: true, channel: body.channel, ts: body.ts, text: body.text });
      case 'chat.postEphemeral':
        return json(200, { ok: true, message_ts: ts });
      case 'conversations.info':
        // Every channel exists and has the bot as a member; failNext plays the rest (channel_not_found…).
        return json(200, { ok: true, channel: { id: body.channel, name: 'alerts', is_channel: true, is_archived: false, is_member: true } });
      default:
        return json(200, { ok: false, error: 'unknown_method' });
    }
  }
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const body: Record<string, unknown> = Object.fromEntries(new URLSearchParams(raw));
  for (const field of FIELDS_HOLDING_JSON) {
    if (typeof body[field] === 'string') body[field] = JSON.parse(body[field] as string);
  }
  return body;
}
