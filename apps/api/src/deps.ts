import type { ApiConfig } from '@betang/config';
import type { Db } from '@betang/db';
import type { QueueDepthReader } from '@betang/queue';
import type { Logger } from 'pino';
import type { RequestEventHub } from './events/request-event-hub';
import type { RequestViewCache } from './events/request-view-cache';
import type { RateLimitPolicy } from './security/rate-limit';
import type { HealthCheck } from '@betang/core';
import type { PdfVerifier } from '@betang/documents';
import type { SignatureTrust } from './use-cases/signature-trust';
import type { ConsoleDeps } from './console/console-gateway';

/** Everything createApp needs; built by main.ts, or by tests with real test servers. */
export type AppDeps = {
  config: Pick<
    ApiConfig,
    | 'PUBLIC_URL'
    | 'SESSION_TTL_HOURS'
    | 'COOKIE_SECURE'
    | 'TRUST_PROXY_HOPS'
    | 'WEB_DIST_DIR'
    | 'NODE_ENV'
    | 'SIGNING_MASTER_SECRET'
    | 'TOTP_REQUIRED_ROLES'
  > &
    Partial<
      Pick<
        ApiConfig,
        | 'OIDC_ISSUER_URL'
        | 'OIDC_CLIENT_ID'
        | 'OIDC_CLIENT_SECRET'
        | 'OIDC_REDIRECT_URI'
        | 'OIDC_SCOPES'
        | 'OIDC_NIP_CLAIM'
        | 'OIDC_PASSWORD_DISABLED_ROLES'
        | 'PUBLIC_NAT_ADDRESSES'
        | 'OIDC_MFA_ACR_VALUES'
      >
    >;
  db: Db;
  logger: Logger;
  /** Extra readiness checks (the queue backend); the database and the cluster snapshot's age are always checked. */
  healthChecks?: HealthCheck[];
  /** Queue depths for /metrics; main.ts builds it on the queue backend. */
  queueDepths?: QueueDepthReader;
  /** Live request events (SSE) with its LISTEN connection; main.ts builds it from DATABASE_URL and stops it on shutdown. Poll-only when absent. */
  requestEvents?: RequestEventHub;
  /** The status-read cache (docs/architecture.md); main.ts builds it from DATABASE_URL. Every status read goes to PostgreSQL when absent. */
  requestViewCache?: RequestViewCache;
  /** Rate limits (sign-in, public verification); DEFAULT_RATE_LIMITS for whatever is absent. */
  rateLimits?: Partial<RateLimitPolicy>;
  /** Verifies uploaded PDFs off the event loop; createApp starts a default pool when absent (its owner closes it). */
  pdfVerifier?: PdfVerifier;
  /** Trust roots and signer-matching rules for external signatures; none (operator acceptance) when absent. */
  signatureTrust?: SignatureTrust;
  /** The browser serial console's way to Proxmox; without it the console answers 503 (not configured). */
  console?: ConsoleDeps;
};
