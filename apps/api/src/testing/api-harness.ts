import { createPdfVerifierPool } from '@betang/documents';
import {
  createTestDatabase,
  TEST_PASSWORD,
  TEST_SIGNING_MASTER_SECRET,
  testLogDestination,
  testLogOptions,
  type TestDatabase,
} from '@betang/testkit';
import type { Express } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { createApp, responseContractViolationsOf } from '../app';
import type { AppDeps } from '../deps';
import type { RateLimitPolicy } from '../security/rate-limit';
import { RequestEventHub } from '../events/request-event-hub';
import { NO_TRUST_ROOTS, type SignatureTrust } from '../use-cases/signature-trust';

/** `deps` lets a test build a second app instance over the same database (e.g. with its own event hub). */
export type ApiHarness = { app: Express; database: TestDatabase; deps: AppDeps; close(): Promise<void> };

/** Settings a test may change; by default nobody is required to use TOTP (dedicated tests turn it on). */
export type ApiHarnessOptions = {
  totpRequiredRoles?: AppDeps['config']['TOTP_REQUIRED_ROLES'];
  trustProxyHops?: number;
  rateLimits?: Partial<RateLimitPolicy>;
  /** External signature trust (default: no roots, uploads wait for an operator). */
  signatureTrust?: SignatureTrust;
  /** Verification pool settings (default: 2 threads, 10 s per document). */
  pdfVerify?: { threads?: number; timeoutMs?: number; maxQueue?: number };
  /** Single sign-on settings (OIDC_*); off when absent. */
  oidc?: Partial<
    Pick<
      AppDeps['config'],
      | 'OIDC_ISSUER_URL'
      | 'OIDC_CLIENT_ID'
      | 'OIDC_CLIENT_SECRET'
      | 'OIDC_REDIRECT_URI'
      | 'OIDC_SCOPES'
      | 'OIDC_NIP_CLAIM'
      | 'OIDC_PASSWORD_DISABLED_ROLES'
      | 'OIDC_MFA_ACR_VALUES'
    >
  >;
  /** The office's public address pool (default: a documentation range, so internet access is offered); null = not configured. */
  publicNatAddresses?: readonly string[] | null;
  /** The serial console's way to Proxmox (default: none, the console answers 503). */
  console?: AppDeps['console'];
};

/** The harness's public pool (RFC 5737 documentation addresses, routed nowhere). */
export const TEST_PUBLIC_NAT_ADDRESSES = ['203.0.113.10', '203.0.113.11', '203.0.113.12'] as const;

/** Builds the real app over a fresh cloned database (one per test file). */
export async function startApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const database = await createTestDatabase();
  const logger = pino(testLogOptions('api-harness'), testLogDestination('api-harness'));
  const deps: AppDeps = {
    db: database.db,
    logger,
    requestEvents: new RequestEventHub({ db: database.db, logger, connectionString: database.url }),
    config: {
      PUBLIC_URL: 'http://127.0.0.1:3000',
      SESSION_TTL_HOURS: 12,
      COOKIE_SECURE: false,
      TRUST_PROXY_HOPS: options.trustProxyHops ?? 0,
      WEB_DIST_DIR: undefined,
      NODE_ENV: 'test',
      SIGNING_MASTER_SECRET: TEST_SIGNING_MASTER_SECRET,
      TOTP_REQUIRED_ROLES: options.totpRequiredRoles ?? [],
      ...(options.publicNatAddresses === null
        ? {}
        : { PUBLIC_NAT_ADDRESSES: [...(options.publicNatAddresses ?? TEST_PUBLIC_NAT_ADDRESSES)] }),
      ...options.oidc,
    },
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    pdfVerifier: createPdfVerifierPool({ threads: 2, timeoutMs: 10_000, ...options.pdfVerify }),
    signatureTrust: options.signatureTrust ?? NO_TRUST_ROOTS,
    // No Proxmox here: a console ticket is issued, and opening it reports Proxmox unreachable.
    console: options.console ?? { backend: { open: () => Promise.reject(new Error('no Proxmox in this test harness')) } },
  };
  const app = createApp(deps);
  // Every JSON answer was held to its route's response schema (NODE_ENV=test): a file whose tests
  // provoked a mismatch fails here even if no assertion looked at the answer.
  const close = async () => {
    await deps.requestEvents?.stop();
    await deps.pdfVerifier?.close();
    await database.drop();
    const violations = responseContractViolationsOf(app);
    if (violations.length > 0) {
      throw new Error(
        `${violations.length} answer(s) broke their route's response schema:\n${violations.map((v) => `  ${v.route} (${v.status}): ${v.problems.join('; ')}`).join('\n')}`,
      );
    }
  };
  return { app, database, deps, close };
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
