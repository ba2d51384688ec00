import { createApp, upgradeHandlerOf, type AppDeps } from '@betang/api';
import { parseConfig, ZApiEnv } from '@betang/config';
import type { Db } from '@betang/db';
import {
  createTestDatabase,
  serveOnLoopback,
  TEST_MASTER_KEY,
  TEST_SIGNING_MASTER_SECRET,
  testEncrypted,
  testLogDestination,
  testLogOptions,
} from '@betang/testkit';
import { pino } from 'pino';
import { ensureWebBuild } from './web-build';

export type WebStack = { baseUrl: string; db: Db; close(): Promise<void> };

/**
 * The production shape of Betang's web front: the real API (createApp) over a fresh cloned test
 * database, serving a current `vite build` of apps/web, listening on 127.0.0.1 at a random port
 * (or `options.port`, when a redirect URI registered at a test identity provider must name it), with
 * websocket upgrades. `options.console` gives the API the console's way to Proxmox.
 */
export async function startWebStack(
  env: Record<string, string> = {},
  options: { port?: number; console?: AppDeps['console'] } = {},
): Promise<WebStack> {
  const webDistDir = await ensureWebBuild();
  const database = await createTestDatabase();
  const app = createApp({
    ...(options.console ? { console: options.console } : {}),
    db: database.db,
    logger: pino(testLogOptions('browser-api'), testLogDestination('browser-api')),
    // parsed like main.ts does, so every setting the API adds gets its documented default;
    // TOTP is not required unless a test asks (`env`), like the API test harness
    config: parseConfig(ZApiEnv, {
      DATABASE_URL: database.url,
      NODE_ENV: 'test',
      WEB_DIST_DIR: webDistDir,
      BETANG_MASTER_KEY: TEST_MASTER_KEY,
      SIGNING_MASTER_SECRET: testEncrypted('SIGNING_MASTER_SECRET', TEST_SIGNING_MASTER_SECRET),
      TOTP_REQUIRED_ROLES: '',
      // Internet access is offered unless a test clears it (PUBLIC_NAT_ADDRESSES: '').
      PUBLIC_NAT_ADDRESSES: '203.0.113.10-203.0.113.30',
      ...env,
    }),
  });
  const server = await serveOnLoopback(app, { port: options.port, upgrade: upgradeHandlerOf(app) });
  return {
    baseUrl: server.baseUrl,
    db: database.db,
    async close() {
      await server.close();
      await database.drop();
    },
  };
}
