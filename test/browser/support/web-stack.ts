import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApp } from '@betang/api';
import type { Db } from '@betang/db';
import { createTestDatabase } from '@betang/testkit';
import { pino } from 'pino';
import { ensureWebBuild } from './web-build';

export type WebStack = { baseUrl: string; db: Db; close(): Promise<void> };

/**
 * The production shape of Betang's web front: the real API (createApp) over a fresh cloned test
 * database, serving a current `vite build` of apps/web, listening on 127.0.0.1 at a random port.
 */
export async function startWebStack(): Promise<WebStack> {
  const webDistDir = await ensureWebBuild();
  const database = await createTestDatabase();
  const app = createApp({
    db: database.db,
    logger: pino({ level: 'silent' }),
    config: { PUBLIC_URL: 'http://127.0.0.1', SESSION_TTL_HOURS: 12, COOKIE_SECURE: false, TRUST_PROXY_HOPS: 0, WEB_DIST_DIR: webDistDir, NODE_ENV: 'test' },
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    db: database.db,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.drop();
    },
  };
}
