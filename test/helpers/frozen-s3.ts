import { createServer, type Socket } from 'node:net';

export interface FrozenServer {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * A TCP server on 127.0.0.1 that accepts every connection, reads what it is
 * sent and never answers: an S3 endpoint that stopped answering (a stalled
 * connection, not a refused one).
 */
export async function startFrozenServer(): Promise<FrozenServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
