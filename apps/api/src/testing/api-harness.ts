import { createTestDatabase, TEST_PASSWORD, type TestDatabase } from '@betang/testkit';
import type { Express } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../app';

export type ApiHarness = { app: Express; database: TestDatabase; close(): Promise<void> };

/** Builds the real app over a fresh cloned database (one per test file). */
export async function startApiHarness(): Promise<ApiHarness> {
  const database = await createTestDatabase();
  const app = createApp({
    db: database.db,
    logger: pino({ level: 'silent' }),
    config: { PUBLIC_URL: 'http://127.0.0.1:3000', SESSION_TTL_HOURS: 12, COOKIE_SECURE: false, TRUST_PROXY_HOPS: 0, WEB_DIST_DIR: undefined, NODE_ENV: 'test' },
  });
  return { app, database, close: () => database.drop() };
}

/** A signed-in browser-like client: cookie jar plus the CSRF token for unsafe requests. */
export type SignedIn = { agent: ReturnType<typeof request.agent>; csrfToken: string };

/** Signs `email` in through POST /auth/login and returns the cookie-carrying agent. */
export async function signInAs(app: Express, email: string, password = TEST_PASSWORD): Promise<SignedIn> {
  const agent = request.agent(app);
  const response = await agent.post('/api/v1/auth/login').send({ email, password });
  if (response.status !== 200) throw new Error(`sign-in of ${email} failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { agent, csrfToken: response.body.csrfToken as string };
}
