import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

type LoopbackServer = { baseUrl: string; port: number; close(): Promise<void> };

/**
 * Serves `handler` (an express app is one) on 127.0.0.1 at a free port, or at `port` when the
 * address must be known before (a redirect URI registered elsewhere). `close()` cuts open
 * connections (keep-alive, event streams) so it never waits for a client to leave.
 */
export async function serveOnLoopback(handler: RequestListener, port = 0): Promise<LoopbackServer> {
  const server = createServer(handler);
  server.listen(port, '127.0.0.1');
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
