import { z } from 'zod';

const ZBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const ZLogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Settings every server process shares. */
const ZCommonEnv = z.object({
  /** PostgreSQL connection string (required for api and worker; the launcher provides an embedded one). */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  /** Max connections in this process's PostgreSQL pool. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Queue backend: Redis URL (`redis://…`); when absent the queue runs on PostgreSQL (BullMQ's PG backend). */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** With the PostgreSQL queue backend on the embedded database: poll, because its LISTEN/NOTIFY does not cross connections. */
  QUEUE_PG_POLLING: ZBool.default(false),
  /** Prefix of every BullMQ key/queue, so several deployments can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9_-]{1,32}$/).default('betang'),
  /** Log level of the root pino logger. */
  LOG_LEVEL: ZLogLevel.default('info'),
  /** Pretty, human-readable logs (development); JSON otherwise. */
  LOG_PRETTY: ZBool.default(false),
  /** production | development | test */
  NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
});

/** Environment of apps/api. */
export const ZApiEnv = ZCommonEnv.extend({
  /** Address to listen on. */
  HOST: z.string().default('127.0.0.1'),
  /** TCP port to listen on. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public base URL people use (links in e-mails, QR codes on agreements). */
  PUBLIC_URL: z.url().default('http://127.0.0.1:3000'),
  /** Session lifetime in hours. */
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** Mark the session cookie Secure (true behind HTTPS). */
  COOKIE_SECURE: ZBool.default(false),
  /** Trust X-Forwarded-For from this many proxies (0 = none). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(0),
  /** Directory of the built web UI to serve (optional). */
  WEB_DIST_DIR: z.string().optional(),
});
export type ApiConfig = z.infer<typeof ZApiEnv>;

/** Environment of apps/worker. */
export const ZWorkerEnv = ZCommonEnv.extend({
  /** Proxmox VE API base URL, e.g. https://pve1.example.go.id:8006 (absent → no provisioning). */
  PVE_URL: z.url().optional(),
  /** API token id, e.g. betang@pve!provision. */
  PVE_TOKEN_ID: z.string().regex(/^[^!\s]+@[^!\s]+![A-Za-z0-9_.-]+$/).optional(),
  /** API token secret (a lowercase UUID). */
  PVE_TOKEN_SECRET: z.string().regex(/^[0-9a-f-]{36}$/).optional(),
  /** PEM file of the CA that signed PVE's certificate. */
  PVE_CA_FILE: z.string().optional(),
  /** SHA-256 fingerprint (colon hex) of PVE's certificate, as an alternative to a CA. */
  PVE_FINGERPRINT: z.string().regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/).optional(),
  /** Parallel provisioning jobs per worker process. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
}).superRefine((env, ctx) => {
  const pve = [env.PVE_URL, env.PVE_TOKEN_ID, env.PVE_TOKEN_SECRET];
  if (pve.some(Boolean) && !pve.every(Boolean)) {
    ctx.addIssue({ code: 'custom', path: ['PVE_URL'], message: 'PVE_URL, PVE_TOKEN_ID and PVE_TOKEN_SECRET must be set together' });
  }
  if (env.PVE_URL && !env.PVE_CA_FILE && !env.PVE_FINGERPRINT) {
    ctx.addIssue({ code: 'custom', path: ['PVE_CA_FILE'], message: 'set PVE_CA_FILE or PVE_FINGERPRINT: TLS checks are never disabled' });
  }
});
export type WorkerConfig = z.infer<typeof ZWorkerEnv>;

/** Environment of `npm run migrate`. */
export const ZMigrateEnv = z.object({ DATABASE_URL: ZCommonEnv.shape.DATABASE_URL });
