import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy to a server (Postgres, Redis) that a test can cut: an outage as the client sees it when the
 * server stops or the network fails — every open connection reset, new ones refused — and then restore.
 */
export interface TcpProxy {
  /** `127.0.0.1:<port>` clients connect to. */
  readonly host: string;
  readonly port: number;
  /** Resets every connection and refuses new ones until {@link TcpProxy.restore}. */
  cut(): void;
  restore(): void;
  /** Connections accepted so far (reconnects show up here). */
  readonly accepted: number;
  close(): Promise<void>;
}

/**
 * Starts a proxy to `target`.
 *
 * @param target - the server's host and port
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let accepted = 0;
  const server: Server = createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    accepted++;
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const drop = (): void => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port');
  return {
    host: '127.0.0.1',
    port: address.port,
    get accepted() {
      return accepted;
    },
    cut() {
      down = true;
      for (const socket of sockets) socket.resetAndDestroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    async close() {
      down = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
