import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';

type LoopbackServer = { baseUrl: string; port: number; close(): Promise<void> };

/**
 * Serves `handler` (an express app is one) on 127.0.0.1 at a free port. `close()` cuts open
 * connections (keep-alive, event streams) so it never waits for a client to leave. `upgrade`, when
 * given, receives websocket upgrades (the API's console: `upgradeHandlerOf(app)`).
 */
export async function serveOnLoopback(
  handler: RequestListener,
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Promise<LoopbackServer> {
  const server = createServer(handler);
  if (upgrade) server.on('upgrade', upgrade);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
