import { isDatabaseReachable } from '@betang/db';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { AppDeps } from './deps';
import { HttpMetrics } from './http/metrics';
import { buildOpenApi } from './http/openapi';
import type { RouteRegistry } from './http/route';
import { authenticate } from './middleware/authenticate';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { requestContext } from './middleware/request-context';
import { auditRoutes } from './routes/audit.routes';
import { authRoutes } from './routes/auth.routes';
import { institutionRoutes } from './routes/institutions.routes';
import { meRoutes } from './routes/me.routes';
import type { RoutesContext } from './routes/router-context';
import { userRoutes } from './routes/users.routes';

/** Largest JSON body the API accepts; bigger ones get 413 before any parsing work. */
export const JSON_BODY_LIMIT = '256kb';

/**
 * Builds the HTTP application from its dependencies. Does no I/O itself (tests build it
 * directly against their own databases); main.ts owns listening and shutdown.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.TRUST_PROXY_HOPS);
  app.set('query parser', 'simple');
  const metrics = new HttpMetrics();

  app.use(requestContext(deps.logger));
  app.use(helmet());
  app.use(metrics.middleware());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = [{ name: 'database', check: () => isDatabaseReachable(deps.db) }, ...(deps.healthChecks ?? [])];
    const results = await Promise.all(checks.map(async (c) => [c.name, await c.check().catch(() => false)] as const));
    const ready = results.every(([, ok]) => ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
  });
  app.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(metrics.render());
  });

  const registry: RouteRegistry = [];
  const router = express.Router();
  router.use(express.json({ limit: JSON_BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }));
  router.use(authenticate(deps.db));
  const context: RoutesContext = { router, registry, deps };
  authRoutes(context);
  meRoutes(context);
  institutionRoutes(context);
  userRoutes(context);
  auditRoutes(context);
  const openApi = buildOpenApi(registry, deps.config.PUBLIC_URL);
  router.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/api/v1', router);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
