import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';

type LoopbackServer = { baseUrl: string; port: number; close(): Promise<void> };

/**
/**
 * Serves `handler` (an express app is one) on 127.0.0.1 at a free port, or at `options.port` when
 * the address must be known before (a redirect URI registered elsewhere). `options.upgrade`, when
 * given, receives websocket upgrades (the API's console: `upgradeHandlerOf(app)`). `close()` cuts
 * open connections (keep-alive, event streams) so it never waits for a client to leave.
 */
export async function serveOnLoopback(
  handler: RequestListener,
  options: { port?: number; upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void } = {},
): Promise<LoopbackServer> {
  const server = createServer(handler);
  if (options.upgrade) server.on('upgrade', options.upgrade);
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${bound}`,
    port: bound,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
