import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { describeFetchError } from '../../services/health/describe-fetch-error.js';
import { freePort } from '../testbed/free-port.js';

const failure = async (url: string, init?: RequestInit) => {
  try {
    await fetch(url, init);
  } catch (error) {
    return error;
  }
  throw new Error(`${url} answered`);
};

describe('describeFetchError: the cause of a failed fetch, as status and doctor show it', () => {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  const listen = (onConnection: (socket: Socket) => void) =>
    new Promise<number>((resolve) => {
      server = createServer((socket) => {
        sockets.add(socket);
        onConnection(socket);
      });
      server.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port));
    });

  it('names a refused connection with its address', async () => {
    const port = await freePort();
    expect(describeFetchError(await failure(`http://127.0.0.1:${port}/web/health`))).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('names a connection closed without an answer', async () => {
    const port = await listen((socket) => socket.once('data', () => socket.destroy()));
    expect(describeFetchError(await failure(`http://127.0.0.1:${port}/web/health`))).toMatch(/^(other side closed \(UND_ERR_SOCKET\)|read ECONNRESET)$/);
  });

  it('says a request that got no answer in time timed out, and after how long', async () => {
    const port = await listen(() => {});
    const error = await failure(`http://127.0.0.1:${port}/web/health`, { signal: AbortSignal.timeout(200) });
    expect(describeFetchError(error, 200)).toBe('no answer within 200 ms (timeout)');
    expect(describeFetchError(error, 2000)).toBe('no answer within 2 s (timeout)');
  });

  it('names an unknown host, and every address tried', () => {
    const enotfound = Object.assign(new Error('getaddrinfo ENOTFOUND odoo'), { code: 'ENOTFOUND' });
    expect(describeFetchError(new TypeError('fetch failed', { cause: enotfound }))).toBe('getaddrinfo ENOTFOUND odoo');
    const v6 = Object.assign(new Error('connect ECONNREFUSED ::1:8069'), { code: 'ECONNREFUSED' });
    const v4 = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8069'), { code: 'ECONNREFUSED' });
    const both = Object.assign(new AggregateError([v6, v4], ''), { code: 'ECONNREFUSED' });
    expect(describeFetchError(new TypeError('fetch failed', { cause: both }))).toBe('connect ECONNREFUSED ::1:8069; connect ECONNREFUSED 127.0.0.1:8069');
  });
});
