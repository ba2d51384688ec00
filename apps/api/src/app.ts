import { databaseCheck } from '@betang/db';
import { createPdfVerifierPool } from '@betang/documents';
import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { AppDeps } from './deps';
import { createApiMetrics } from './http/metrics';
import { buildOpenApi } from './http/openapi';
import { proxmoxSnapshotCheck, readinessHandler } from './http/readiness';
import { responseContractCheck, type ResponseContractViolation } from './http/response-contract';
import type { RouteRegistry } from './http/route';
import { authenticate, sessionCookieName } from './middleware/authenticate';
import { totpEnrolmentGate } from './security/totp-policy';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { requestContext } from './middleware/request-context';
import { agreementRoutes } from './routes/agreements.routes';
import { applicationRoutes } from './routes/applications.routes';
import { auditRoutes } from './routes/audit.routes';
import { authRoutes } from './routes/auth.routes';
import { institutionRoutes } from './routes/institutions.routes';
import { meRoutes } from './routes/me.routes';
import { notificationRoutes } from './routes/notifications.routes';
import { webhookRoutes } from './routes/webhooks.routes';
import type { RoutesContext } from './routes/router-context';
import { userRoutes } from './routes/users.routes';
import { verifyRoutes } from './routes/verify.routes';
import { catalogRoutes } from './routes/catalog.routes';
import { ipPoolRoutes } from './routes/ip-pools.routes';
import { vpsRequestRoutes } from './routes/vps-requests.routes';
import { RequestEventHub } from './events/request-event-hub';
import { requestEventRoutes } from './routes/request-events.routes';
import { operatorQueueRoutes } from './routes/operator-queue.routes';
import { vmRoutes } from './routes/vms.routes';
import { snapshotRoutes } from './routes/snapshots.routes';
import { vmBackupRoutes } from './routes/vm-backups.routes';
import { leaseRoutes } from './routes/leases.routes';
import { restoreTestRoutes } from './routes/restore-tests.routes';
import { clusterRoutes } from './routes/cluster.routes';
import { picRoutes } from './routes/pic.routes';
import { estateRoutes } from './routes/estate.routes';
import { ssoRoutes } from './routes/sso.routes';
import { consoleRoutes } from './routes/console.routes';
import { createConsoleGateway } from './console/console-gateway';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';

/** Largest JSON body the API accepts; bigger ones get 413 before any parsing work. */
export const JSON_BODY_LIMIT = '256kb';

const ROUTE_REGISTRY = Symbol('betang.routeRegistry');
const OPS_APP = Symbol('betang.opsApp');
const CONTRACT_VIOLATIONS = Symbol('betang.responseContractViolations');
const UPGRADE = Symbol('betang.upgradeHandler');

/** A server's `upgrade` listener; `closeAll` ends every open console session (shutdown). */
export type UpgradeHandler = ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) & { closeAll(): Promise<void> };

/**
 * The `upgrade` listener of the app's HTTP server (the console websocket): whoever listens
 * (main.ts, tests) attaches it with `server.on('upgrade', upgradeHandlerOf(app))`. Throws for an
 * app not built by createApp.
 */
export function upgradeHandlerOf(app: Express): UpgradeHandler {
  const handler = (app.locals as Record<symbol, UpgradeHandler | undefined>)[UPGRADE];
  if (!handler) throw new Error('not an app built by createApp');
  return handler;
}

/** Paths only the operations listener serves, in the form the public app compares them. */
const OPS_ONLY_PATHS = new Set(['/readyz', '/metrics']);

/**
 * True for /readyz and /metrics in any letter case, with or without trailing slashes. The slashes
 * are trimmed by a loop: a `/\/+$/` regex backtracks quadratically over a path of many slashes,
 * which anyone can send.
 */
function isOpsOnlyPath(requestPath: string): boolean {
  let end = requestPath.length;
  while (end > 0 && requestPath.charCodeAt(end - 1) === 0x2f) end--;
  return OPS_ONLY_PATHS.has(requestPath.slice(0, end).toLowerCase());
}

/**
 * The routes `createApp` registered under /api/v1 (the same list that builds the OpenAPI
 * document), for tests that must walk every route. Throws for an app not built by createApp.
 */
export function routeRegistryOf(app: Express): RouteRegistry {
  const registry = (app.locals as Record<symbol, RouteRegistry | undefined>)[ROUTE_REGISTRY];
  if (!registry) throw new Error('not an app built by createApp');
  return registry;
}

/**
 * The operations app createApp built next to `app`: /healthz, /readyz and /metrics, for a
 * listener of its own on loopback or a private network (API_OPS_HOST:API_OPS_PORT). Throws for
 * an app not built by createApp.
 */
export function opsAppOf(app: Express): Express {
  const ops = (app.locals as Record<symbol, Express | undefined>)[OPS_APP];
  if (!ops) throw new Error('not an app built by createApp');
  return ops;
}

/**
 * The answers that broke their route's response schema so far (only recorded when NODE_ENV=test;
 * empty otherwise). The API test harness fails a test file that leaves any.
 */
export function responseContractViolationsOf(app: Express): readonly ResponseContractViolation[] {
  return (app.locals as Record<symbol, ResponseContractViolation[] | undefined>)[CONTRACT_VIOLATIONS] ?? [];
}

/** Routing that matches paths exactly: no other letter case, no extra trailing slash. */
function exactRouting(app: Express): void {
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
}

function createOpsApp(deps: AppDeps, metrics: ReturnType<typeof createApiMetrics>): Express {
  const ops = express();
  ops.disable('x-powered-by');
  exactRouting(ops);
  ops.use(requestContext(deps.logger));
  ops.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  ops.get('/readyz', readinessHandler([databaseCheck(deps.db), ...(deps.healthChecks ?? []), proxmoxSnapshotCheck(deps.db)], deps.logger));
  ops.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.render());
  });
  ops.use(notFoundHandler);
  ops.use(errorHandler);
  return ops;
}

/**
 * Builds the HTTP application from its dependencies, and its operations app (opsAppOf). Does
 * no I/O itself (tests build it directly against their own databases); main.ts owns listening
 * and shutdown. The public app serves /healthz (uptime checks) but never /readyz or /metrics,
 * in any spelling: those are unauthenticated and tell an attacker about the system.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  exactRouting(app);
  app.set('trust proxy', deps.config.TRUST_PROXY_HOPS);
  app.set('query parser', 'simple');
  const metrics = createApiMetrics({ db: deps.db, ...(deps.queueDepths ? { queueDepths: deps.queueDepths } : {}) });
  (app.locals as Record<symbol, Express>)[OPS_APP] = createOpsApp(deps, metrics);
  (app.locals as Record<symbol, UpgradeHandler>)[UPGRADE] = createConsoleGateway({
    db: deps.db,
    logger: deps.logger,
    sessionCookie: sessionCookieName(deps.config.COOKIE_SECURE),
    publicUrl: deps.config.PUBLIC_URL,
    trustProxyHops: deps.config.TRUST_PROXY_HOPS,
    console: deps.console,
  });

  app.use(requestContext(deps.logger));
  app.use(helmet({ contentSecurityPolicy: contentSecurityPolicy(deps.config.COOKIE_SECURE) }));
  app.use(metrics.middleware());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const registry: RouteRegistry = [];
  const router = express.Router({ caseSensitive: true, strict: true });
  router.use(metrics.mountMarker());
  if (deps.config.NODE_ENV === 'test') {
    const violations: ResponseContractViolation[] = [];
    (app.locals as Record<symbol, ResponseContractViolation[]>)[CONTRACT_VIOLATIONS] = violations;
    router.use(responseContractCheck(registry, deps.logger, violations));
  }
  // Before any handler: a write through this instance empties the status-read cache before it answers.
  const viewCache = deps.requestViewCache;
  if (viewCache) router.use(viewCache.writeBarrier());
  router.use(express.json({ limit: JSON_BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }));
  router.use(authenticate(deps.db, { sessionCookie: sessionCookieName(deps.config.COOKIE_SECURE) }));
  router.use(totpEnrolmentGate(deps.config.TOTP_REQUIRED_ROLES));
  // Every live stream (requests, the operators' dashboard) shares one hub: one per-user cap, one stop.
  const requestEvents = deps.requestEvents ?? new RequestEventHub({ db: deps.db, logger: deps.logger });
  // An event a stream of this instance shows is never followed by an older cached view here.
  if (viewCache) requestEvents.beforeDelivery((requestId) => viewCache.invalidate(requestId));
  const context: RoutesContext = {
    router,
    registry,
    deps: {
      ...deps,
      // A pool starts its threads only when the first PDF arrives, so building the app stays I/O-free.
      pdfVerifier: deps.pdfVerifier ?? createPdfVerifierPool(),
      requestEvents,
    },
  };
  authRoutes(context);
  ssoRoutes(context);
  meRoutes(context);
  notificationRoutes(context);
  webhookRoutes(context);
  institutionRoutes(context);
  userRoutes(context);
  applicationRoutes(context);
  agreementRoutes(context);
  verifyRoutes(context);
  auditRoutes(context);
  catalogRoutes(context);
  consoleRoutes(context);
  ipPoolRoutes(context);
  vpsRequestRoutes(context);
  requestEventRoutes(context);
  operatorQueueRoutes(context);
  vmRoutes(context);
  snapshotRoutes(context);
  vmBackupRoutes(context);
  leaseRoutes(context);
  restoreTestRoutes(context);
  clusterRoutes(context);
  picRoutes(context);
  estateRoutes(context);
  const openApi = buildOpenApi(registry, deps.config.PUBLIC_URL);
  (app.locals as Record<symbol, RouteRegistry>)[ROUTE_REGISTRY] = registry;
  router.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/api/v1', router);

  if (deps.config.WEB_DIST_DIR) serveWebUi(app, deps.config.WEB_DIST_DIR);
  // QR codes on agreements point at the web page; without the UI, answer with the API's own page.
  else app.get('/verify/:code', (req, res) => res.redirect(302, `/api/v1/verify/${encodeURIComponent(req.params.code)}`));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

/**
 * CSP for the API and the web UI it serves: scripts, styles, fetches, fonts and images from the
 * same origin only (the Vite build has no inline scripts or styles); frames of our own pages
 * allowed so the UI can show agreement PDFs. HTTPS-only deployments also upgrade insecure requests.
 */
function contentSecurityPolicy(https: boolean) {
  return {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'self'"],
      ...(https ? { upgradeInsecureRequests: [] } : {}),
    },
  };
}

/**
 * Serves the built web UI (apps/web `vite build` output): its files, and index.html for every
 * other GET/HEAD outside /api so the SPA's own routes survive a reload. Hashed assets are cached
 * for a year; index.html is revalidated so a deploy takes effect at once.
 */
function serveWebUi(app: Express, dir: string): void {
  const root = path.resolve(dir);
  const assets = `${path.sep}assets${path.sep}`;
  app.use(
    express.static(root, {
      index: false,
      redirect: false,
      setHeaders: (res, file) => res.setHeader('Cache-Control', file.includes(assets) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    }),
  );
  app.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path === '/api' || req.path.startsWith('/api/') || isOpsOnlyPath(req.path))
      return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(root, 'index.html'), (error) => error && next(error));
  });
}
