import { z } from 'zod';
import { parsePublicAddresses } from './public-addresses';

const ZBool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

// The role names of packages/core's Role enum (config imports zod only; core's tests keep them in step).
/**
 * An http(s) URL for the guests' apt (proxy or mirror): it is written into apt configuration and
 * a sed expression on the guest, so only characters that mean nothing there are allowed (the
 * guest package validates it the same way).
 */
const ZAptUrl = z
  .string()
  .regex(
    /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~%/-]*)?$/,
    'http(s)://host[:port][/path] with letters, digits and . _ ~ % / - only',
  );

/**
 * Resolvers for the guests' cloud-init `nameserver` (PVE's address-list: IPv4/IPv6 separated by
 * spaces, commas or semicolons; at most 3, as resolv.conf reads) → one space-separated string.
 */
const ZNameservers = z
  .string()
  .transform((v) => v.split(/[\s,;]+/).filter((a) => a !== ''))
  .pipe(
    z
      .array(z.union([z.ipv4(), z.ipv6()]))
      .min(1, 'at least one IP address')
      .max(3, 'at most 3 resolvers'),
  )
  .transform((a) => a.join(' '));

const TOTP_ROLE_NAMES = ['admin', 'operator', 'dc_head', 'institution_head', 'institution_staff', 'auditor'] as const;

/** Comma-separated role names → a list without duplicates; an empty string means none. */
const ZRoleList = z
  .string()
  .transform((v) => [
    ...new Set(
      v
        .split(',')
        .map((r) => r.trim())
        .filter((r) => r !== ''),
    ),
  ])
  .pipe(z.array(z.enum(TOTP_ROLE_NAMES)));

// How an external signature's certificate names the expected signer (see docs/agreements.md).
const SIGNER_MATCH_RULES = ['nip', 'email'] as const;

/** Comma-separated signer-matching rules → a non-empty list without duplicates (any one rule that matches identifies the signer). */
const ZSignerMatchList = z
  .string()
  .transform((v) => [
    ...new Set(
      v
        .split(',')
        .map((r) => r.trim().toLowerCase())
        .filter((r) => r !== ''),
    ),
  ])
  .pipe(z.array(z.enum(SIGNER_MATCH_RULES)).min(1, 'at least one of nip, email'));

/**
 * The office's public address pool for 1:1 NAT (PUBLIC_NAT_ADDRESSES): an empty value means not
 * configured, so the same variable can be cleared in an env file.
 */
const ZPublicNatAddresses = z
  .string()
  .transform((value, ctx): string[] | undefined => {
    if (value.trim() === '') return undefined;
    const parsed = parsePublicAddresses(value);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return parsed.addresses;
  })
  .optional();

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
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/)
    .default('betang'),
  /** Log level of the root pino logger. */
  LOG_LEVEL: ZLogLevel.default('info'),
  /** Pretty, human-readable logs (development); JSON otherwise. */
  LOG_PRETTY: ZBool.default(false),
  /** production | development | test */
  NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
});

const splitList = (v: string): string[] =>
  v
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
const isHttpsUrl = (u: string): boolean => URL.canParse(u) && new URL(u).protocol === 'https:';
const FINGERPRINT = /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/;

// Checked as a whole so a problem is reported on the variable itself, never on an entry's index.
/** Comma-separated https URLs of PVE API endpoints, 1–16, none twice. */
const ZPveUrlList = z
  .string()
  .transform(splitList)
  .refine((urls) => urls.length >= 1 && urls.length <= 16, 'give 1 to 16 comma-separated URLs')
  .refine((urls) => urls.every(isHttpsUrl), 'each entry must be an https URL')
  .refine(
    (urls) => !urls.every(isHttpsUrl) || new Set(urls.map((u) => new URL(u).origin)).size === urls.length,
    'lists the same address twice',
  );

/** Comma-separated SHA-256 fingerprints in colon hex, 1–16. */
const ZFingerprintList = z
  .string()
  .transform(splitList)
  .refine(
    (fps) => fps.length >= 1 && fps.length <= 16 && fps.every((f) => FINGERPRINT.test(f)),
    'each entry must be a colon-hex SHA-256 fingerprint',
  );

/** How a process reaches the Proxmox VE API (the worker always; the API for the browser console). */
const PVE_ACCESS = {
  /**
   * Proxmox VE API base URL, e.g. https://pve1.example.go.id:8006, or several nodes' API addresses
   * separated by commas (the worker fails over between them). Absent → no provisioning.
   */
  PVE_URL: ZPveUrlList.optional(),
  /** API token id, e.g. betang@pve!provision. */
  PVE_TOKEN_ID: z
    .string()
    .regex(/^[^!\s]+@[^!\s]+![A-Za-z0-9_.-]+$/)
    .optional(),
  /** API token secret (a lowercase UUID). */
  PVE_TOKEN_SECRET: z
    .string()
    .regex(/^[0-9a-f-]{36}$/)
    .optional(),
  /** PEM file of the CA that signed PVE's certificate. */
  PVE_CA_FILE: z.string().optional(),
  /**
   * SHA-256 fingerprint (colon hex) of PVE's certificate, as an alternative to a CA: one for every
   * PVE_URL entry, or a comma-separated list with one per PVE_URL entry, in the same order.
   */
  PVE_FINGERPRINT: ZFingerprintList.optional(),
};

/** The fields of apps/api's environment, each on its own (ZApiEnv adds the checks across fields). */
export const ZApiEnvFields = ZCommonEnv.extend({
  /** Address to listen on. */
  HOST: z.string().default('127.0.0.1'),
  /** TCP port to listen on. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /**
   * Address of the API's operations listener (/healthz, /readyz, /metrics): unauthenticated, so
   * loopback or a private network only. The public port serves /healthz alone.
   */
  API_OPS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Port of the API's operations listener; 0 = no listener. */
  API_OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  /**
   * How long, at most, a cached status read (GET /vps-requests/:id) may be served in seconds; 0 =
   * no cache. Writes invalidate it through PostgreSQL NOTIFY first (docs/architecture.md,
   * "Status-read cache"); the API turns it off on the embedded database, whose NOTIFY does not cross connections.
   */
  STATUS_CACHE_TTL_SECONDS: z.coerce.number().min(0).max(60).default(5),
  /** Public base URL people use (links in e-mails, QR codes on agreements). */
  PUBLIC_URL: z.url().default('http://127.0.0.1:3000'),
  /** Session lifetime in hours. */
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  /** Mark the session cookie Secure (true behind HTTPS). */
  COOKIE_SECURE: ZBool.default(false),
  /** Trust X-Forwarded-For from this many proxies (0 = none). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(0),
  /** Directory of the built web UI to serve (optional). */
  WEB_DIST_DIR: z.string().optional(),
  /**
   * Master secret (≥ 32 characters, e.g. `openssl rand -base64 48`) that encrypts the internal
   * signing CA's key, every signer's key and the users' TOTP secrets. Required; losing it makes
   * those keys unusable, changing it needs a re-encryption. Never log it.
   */
  SIGNING_MASTER_SECRET: z.string().min(32, 'at least 32 characters (openssl rand -base64 48)'),
  /**
   * Roles that must sign in with TOTP (comma-separated; empty = nobody). A holder without TOTP
   * gets a session restricted to enrolling it. Default: the roles that sign or operate.
   */
  TOTP_REQUIRED_ROLES: ZRoleList.default(['admin', 'operator', 'dc_head', 'institution_head']),
  /**
   * PEM bundle of the certificate authorities whose certificates make an externally signed
   * agreement count (e.g. BSrE's root and intermediates). Absent: no external signature is
   * trusted, and an externally signed upload waits for an operator to accept it.
   */
  SIGNATURE_TRUST_ROOTS_FILE: z.string().min(1).optional(),
  /**
   * How a trusted external signature must name its expected signer (comma-separated, any one
   * suffices): `nip` = the signer's NIP as a digit group of the certificate subject's
   * serialNumber; `email` = the signer's e-mail in the subject or subjectAltName.
   */
  SIGNATURE_SIGNER_MATCH: ZSignerMatchList.default(['nip']),
  /** Threads that verify uploaded PDFs off the event loop (0 = one less than the cores, 1–4). */
  PDF_VERIFY_THREADS: z.coerce.number().int().min(0).max(16).default(0),
  /** Seconds one uploaded PDF may take to verify before it is refused and its thread replaced. */
  PDF_VERIFY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(10),
  /**
   * Single sign-on: the OpenID Connect issuer (e.g. https://sso.kalteng.go.id/realms/pemprov for
   * Keycloak). Its discovery document must name exactly this issuer. Absent: no SSO.
   */
  OIDC_ISSUER_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Client id Betang has at the identity provider (a confidential client with PKCE). */
  OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
  /** Client secret of that client; a secret (encrypt it with `npm run secret -- encrypt OIDC_CLIENT_SECRET`). */
  OIDC_CLIENT_SECRET: z.string().min(1).max(500).optional(),
  /** Redirect URI registered at the provider; default PUBLIC_URL + /api/v1/auth/oidc/callback. */
  OIDC_REDIRECT_URI: z.url({ protocol: /^https?$/ }).optional(),
  /** Scopes asked for (space-separated; `openid` is required). */
  OIDC_SCOPES: z
    .string()
    .transform((v) => [...new Set(v.split(/\s+/).filter((x) => x !== ''))])
    .pipe(
      z
        .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'scope tokens are printable ASCII without " or \\'))
        .refine((scopes) => scopes.includes('openid'), 'must include openid'),
    )
    .default(['openid', 'email', 'profile']),
  /** ID-token/userinfo claim that carries the person's NIP (18 digits, spaces allowed); absent: people are linked by verified e-mail only. */
  OIDC_NIP_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/)
    .optional(),
  /** Roles whose holders may not sign in with a password (comma-separated): they must use SSO. Needs SSO configured. */
  OIDC_PASSWORD_DISABLED_ROLES: ZRoleList.default([]),
  /**
   * The office's public addresses for VMs reachable from the internet (1:1 NAT; the worker's
   * setting of the same name, the same value): IPv4 addresses and first-last ranges,
   * comma-separated. Absent or empty: the request form does not offer internet access and the
   * API refuses it (docs/internet-access.md).
   */
  PUBLIC_NAT_ADDRESSES: ZPublicNatAddresses,
  /**
   * `acr` values (comma-separated) that mean the provider authenticated with more than one factor
   * (e.g. Keycloak's level of authentication `2` when its OTP step is on). With one of them, or an
   * `amr` naming two kinds of factor, Betang does not ask its own TOTP after single sign-on.
   */
  OIDC_MFA_ACR_VALUES: z
    .string()
    .transform((v) => [
      ...new Set(
        v
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== ''),
      ),
    ])
    .pipe(z.array(z.string().regex(/^[\x21-\x7E]{1,200}$/, 'acr values are printable ASCII without spaces')))
    .default([]),
  /**
   * The Proxmox access of the browser serial console (the worker's PVE_URL, PVE_TOKEN_ID,
   * PVE_TOKEN_SECRET, PVE_CA_FILE / PVE_FINGERPRINT; the token needs VM.Console). Absent: the
   * console answers that it is not configured; everything else works.
   */
  ...PVE_ACCESS,
});

/** Environment of apps/api. */
export const ZApiEnv = ZApiEnvFields.superRefine((env, ctx) => {
  const pve = [env.PVE_URL, env.PVE_TOKEN_ID, env.PVE_TOKEN_SECRET];
  if (pve.some(Boolean) && !pve.every(Boolean)) {
    ctx.addIssue({ code: 'custom', path: ['PVE_URL'], message: 'PVE_URL, PVE_TOKEN_ID and PVE_TOKEN_SECRET must be set together' });
  }
  if (env.PVE_URL && !env.PVE_CA_FILE && !env.PVE_FINGERPRINT) {
    ctx.addIssue({ code: 'custom', path: ['PVE_CA_FILE'], message: 'set PVE_CA_FILE or PVE_FINGERPRINT: TLS checks are never disabled' });
  }
  const oidc = [env.OIDC_ISSUER_URL, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
  if (oidc.some(Boolean) && !oidc.every(Boolean)) {
    ctx.addIssue({
      code: 'custom',
      path: ['OIDC_ISSUER_URL'],
      message: 'OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together',
    });
  }
  if (!env.OIDC_ISSUER_URL && env.OIDC_PASSWORD_DISABLED_ROLES.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['OIDC_PASSWORD_DISABLED_ROLES'],
      message:
        'sandi lokal hanya dapat dimatikan bila SSO diatur (OIDC_ISSUER_URL) / local passwords can be disabled only when SSO is configured (OIDC_ISSUER_URL)',
    });
  }
}).transform((env) => ({
  ...env,
  OIDC_REDIRECT_URI: env.OIDC_REDIRECT_URI ?? new URL('/api/v1/auth/oidc/callback', env.PUBLIC_URL).toString(),
}));
export type ApiConfig = z.infer<typeof ZApiEnv>;

/** Environment of apps/worker. */
export const ZWorkerEnv = ZCommonEnv.extend({
  /** Public base URL people use: links in e-mails sent by the worker (the same value as the API's). */
  PUBLIC_URL: z.url().default('http://127.0.0.1:3000'),
  /**
   * The API's SIGNING_MASTER_SECRET (the same value): opens the console passwords the API seals
   * into run params. Absent: console-password runs fail with a clear reason; nothing else needs it.
   */
  SIGNING_MASTER_SECRET: z.string().min(32, 'at least 32 characters (openssl rand -base64 48)').optional(),
  ...PVE_ACCESS,
  /**
   * The office's public addresses for VMs reachable from the internet: IPv4 addresses and
   * first-last ranges, comma-separated. The worker gives each such VM one of them, mapped 1:1 to
   * its private address for its declared ports. Absent or empty: no internet access (the API,
   * with the same value, does not offer it). See docs/internet-access.md.
   */
  PUBLIC_NAT_ADDRESSES: ZPublicNatAddresses,
  /**
   * Directory where the worker writes the NAT mappings for the office's edge router or firewall
   * (`betang-nat.nft`, an nftables ruleset, and `betang-nat.json`), rewritten whole after every
   * change. Absent: the mappings are kept in the database only (table public_endpoints).
   */
  PUBLIC_NAT_EDGE_DIR: z.string().min(1).optional(),
  /**
   * Provisioning jobs one worker process runs at once (runs actively talking to PVE; a run that
   * waits is parked and holds no slot). `auto`: online PVE nodes × PVE_CLONE_LIMIT_PER_NODE,
   * re-read while the worker runs; a number caps that.
   */
  WORKER_CONCURRENCY: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)]).default('auto'),
  /** Lowest vmid Betang may use (its own range; asserted against the cluster before cloning). */
  PVE_VMID_MIN: z.coerce.number().int().min(100).max(999_999_999).default(100_000),
  /** Highest vmid Betang may use. */
  PVE_VMID_MAX: z.coerce.number().int().min(100).max(999_999_999).default(199_999),
  /** Concurrent clones per PVE node, shared by every worker instance (PostgreSQL advisory locks). */
  PVE_CLONE_LIMIT_PER_NODE: z.coerce.number().int().min(1).max(32).default(2),
  /** PVE pool new VMs are added to (optional). */
  PVE_POOL: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
  /** Budget of one clone task in seconds (full clones of big templates take minutes). */
  PVE_CLONE_TASK_SECONDS: z.coerce.number().int().min(1).max(7200).default(1800),
  /** Budget of other PVE tasks (config, resize, start, stop, destroy) in seconds. */
  PVE_TASK_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /**
   * Seconds a clean shutdown (power action `shutdown`) waits for the guest before PVE stops it
   * hard (`forceStop=1`); below PVE_TASK_SECONDS so the task ends inside its budget. Unset: 120,
   * or half of PVE_TASK_SECONDS when that budget is shorter than 240 s.
   */
  PVE_SHUTDOWN_SECONDS: z.coerce.number().int().min(1).max(3600).optional(),
  /** Days a destroyed VM's vmid is not handed out again (PBS keys backup groups by vmid); 0 = reuse at once. */
  VMID_REUSE_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /**
   * DNS resolvers written as cloud-init `nameserver` when the VM's IP pool names none (without
   * one PVE copies the PVE host's own resolv.conf into the guest). Default: Quad9 and Cloudflare.
   */
  GUEST_NAMESERVER: ZNameservers.default('9.9.9.9 1.1.1.1'),
  /** cloud-init user the platform logs in as (its key is the provisioning key below). */
  PROVISION_CIUSER: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/)
    .default('betang'),
  /** File with the platform's provisioning SSH private key (OpenSSH/PEM); its public key is read from `<file>.pub`. */
  PROVISION_SSH_KEY_FILE: z.string().optional(),
  /** How the worker reaches a guest's sshd: `address` = the VM's IP:22; `simulator` = ask the PVE simulator's guest endpoint lookup. */
  GUEST_SSH_TARGET: z.enum(['address', 'simulator']).default('address'),
  /** Seconds to wait for the guest agent to report net0's address after start. */
  GUEST_AGENT_WAIT_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /**
   * Seconds to wait, after the address is up, for cloud-init to finish its first boot (it
   * regenerates the SSH host keys; the key is pinned only after it is done).
   */
  GUEST_CLOUD_INIT_WAIT_SECONDS: z.coerce.number().int().min(10).max(3600).default(600),
  /**
   * HTTP proxy the guests' apt uses, e.g. http://apt-proxy.dc.kalteng.go.id:3142 (apt-cacher-ng,
   * squid). Written to /etc/apt/apt.conf.d/01betang-proxy on every new VPS; absent = direct.
   */
  GUEST_APT_PROXY: ZAptUrl.optional(),
  /** Debian archive mirror that replaces deb.debian.org/debian in the guests' apt sources, e.g. http://mirror.dc.kalteng.go.id/debian. */
  GUEST_APT_MIRROR: ZAptUrl.optional(),
  /** Upgrade every installed package on a new VPS before it is handed over (docs/guest-configuration.md). */
  GUEST_PACKAGE_UPGRADE: ZBool.default(true),
  /** Seconds one package refresh or upgrade on a guest may take. */
  GUEST_PACKAGE_UPGRADE_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
  /** Seconds an SSH connection to a guest may take to become ready. */
  GUEST_SSH_READY_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** Minutes a provisioning run may take before the reconciler and reaper call it stuck. */
  RUN_DEADLINE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  /** Seconds without a heartbeat after which a running run with no live job is reaped. */
  RUN_STALE_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(24 * 3600)
    .default(600),
  /** In-process retries of a step after a transient error, before handing the retry to the queue. */
  STEP_RETRIES: z.coerce.number().int().min(0).max(20).default(3),
  /** First delay of those in-process retries in ms (doubles each time). */
  STEP_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(2_000),
  /** SMTP server for e-mail, e.g. smtps://user:pass@mail.kalteng.go.id:465 (absent → MAIL_DIR or log only). */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** Sender of Betang's e-mail. */
  MAIL_FROM: z.string().min(3).max(200).default('Betang Diskominfosantik <betang@kalteng.go.id>'),
  /** Without SMTP: write each e-mail as an .eml file here (the embedded demo does). */
  MAIL_DIR: z.string().optional(),
  /** How long a worker's lock on a job lasts before it must renew it (ms). */
  QUEUE_LOCK_DURATION_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** How often workers look for jobs whose worker died (ms). */
  QUEUE_STALLED_INTERVAL_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** How many times a job may be recovered from a dead worker before it fails (handlers are idempotent). */
  QUEUE_MAX_STALLED_COUNT: z.coerce.number().int().min(1).max(100).default(5),
  /** Seconds between two reconciliation rounds (0 = no schedule). */
  RECONCILE_EVERY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Days a live-status event is kept (the daily prune deletes older ones; resumes from before get a snapshot). */
  REQUEST_EVENTS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Port of the worker's operations listener (/healthz, /readyz, /metrics); 0 = no listener. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Address of that listener; keep it on loopback or a private network (it is unauthenticated). */
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
})
  .superRefine((env, ctx) => {
    const pve = [env.PVE_URL, env.PVE_TOKEN_ID, env.PVE_TOKEN_SECRET];
    if (pve.some(Boolean) && !pve.every(Boolean)) {
      ctx.addIssue({ code: 'custom', path: ['PVE_URL'], message: 'PVE_URL, PVE_TOKEN_ID and PVE_TOKEN_SECRET must be set together' });
    }
    if (env.PVE_SHUTDOWN_SECONDS !== undefined && env.PVE_SHUTDOWN_SECONDS >= env.PVE_TASK_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['PVE_SHUTDOWN_SECONDS'],
        message: 'PVE_SHUTDOWN_SECONDS must be below PVE_TASK_SECONDS (the forced stop after the timeout must fit in the task budget)',
      });
    }
    if (env.PVE_VMID_MIN > env.PVE_VMID_MAX) {
      ctx.addIssue({ code: 'custom', path: ['PVE_VMID_MIN'], message: 'PVE_VMID_MIN must not exceed PVE_VMID_MAX' });
    }
    // Betang's role grants VM rights only on its pool (infra/proxmox/betang-role.json): a clone
    // outside it would need VM.Allocate on all of /vms. Only the demo's simulator (root token) may go without.
    if (env.PVE_URL && !env.PVE_POOL && env.GUEST_SSH_TARGET !== 'simulator') {
      ctx.addIssue({
        code: 'custom',
        path: ['PVE_POOL'],
        message:
          'PVE_POOL wajib diisi: pool tempat Betang membuat VM (lihat infra/proxmox/create-betang-role.sh) / PVE_POOL is required: the pool Betang creates VMs in (see infra/proxmox/create-betang-role.sh)',
      });
    }
    if (env.PVE_URL && !env.PVE_CA_FILE && !env.PVE_FINGERPRINT) {
      ctx.addIssue({ code: 'custom', path: ['PVE_CA_FILE'], message: 'set PVE_CA_FILE or PVE_FINGERPRINT: TLS checks are never disabled' });
    }
    const fingerprints = env.PVE_FINGERPRINT?.length ?? 0;
    if (fingerprints > 1 && fingerprints !== (env.PVE_URL?.length ?? 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['PVE_FINGERPRINT'],
        message: `give one fingerprint for all PVE_URL entries or one per entry (${env.PVE_URL?.length ?? 0} URLs, ${fingerprints} fingerprints)`,
      });
    }
  })
  .transform((env) => ({
    ...env,
    PVE_SHUTDOWN_SECONDS: env.PVE_SHUTDOWN_SECONDS ?? Math.max(1, Math.min(120, Math.floor(env.PVE_TASK_SECONDS / 2))),
  }));
export type WorkerConfig = z.infer<typeof ZWorkerEnv>;

/** Environment of `npm run migrate`. */
export const ZMigrateEnv = z.object({ DATABASE_URL: ZCommonEnv.shape.DATABASE_URL });
