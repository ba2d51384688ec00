import express, { type Express } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { z } from 'zod';
import { responseContractCheck, responseProblems, type ResponseContractViolation } from './response-contract';
import { route, withStatus, type RouteRegistry } from './route';

const ZThing = z.object({ id: z.string(), size: z.number().int(), tags: z.array(z.string()).default([]) });

/** A bare router with route() and the test-time response check, without authentication. */
function appWith(register: (router: express.Router, registry: RouteRegistry) => void): {
  app: Express;
  violations: ResponseContractViolation[];
} {
  const app = express();
  const router = express.Router();
  const registry: RouteRegistry = [];
  const violations: ResponseContractViolation[] = [];
  router.use((_req, res, next) => {
    res.locals.locale = 'en';
    next();
  });
  router.use(responseContractCheck(registry, pino({ level: 'silent' }), violations));
  register(router, registry);
  app.use(router);
  return { app, violations };
}

// Compile-time: the handler's return type is bound to the response schema. These never run.
export function compileTimeChecks(router: express.Router, registry: RouteRegistry): void {
  const spec = { method: 'get', path: '/t', tag: 'test', summary: 's', access: 'public', scope: 'read', response: ZThing } as const;
  route(router, registry, spec, async () => ({ id: 'a', size: 1, tags: [] }));
  route(router, registry, spec, async () => withStatus(202, { id: 'a', size: 1, tags: ['x'] }));
  // @ts-expect-error a field of the wrong type
  route(router, registry, spec, async () => ({ id: 'a', size: '1', tags: [] }));
  // @ts-expect-error a missing field (defaults are part of the output type the document publishes)
  route(router, registry, spec, async () => ({ id: 'a', size: 1 }));
  // @ts-expect-error nothing, where the route declares a JSON answer
  route(router, registry, spec, async () => undefined);
  // @ts-expect-error a JSON answer from a route that declares none
  route(router, registry, { method: 'get', path: '/t', tag: 'test', summary: 's', access: 'public' }, async () => ({ id: 'a' }));
  // A stream or file route writes its own answer and returns nothing.
  route(
    router,
    registry,
    { method: 'get', path: '/f', tag: 'test', summary: 's', access: 'public', writes: 'application/pdf' },
    async () => undefined,
  );
}

describe('route() response contract', () => {
  it('should answer withStatus with its status and the body', async () => {
    const { app, violations } = appWith((router, registry) =>
      route(
        router,
        registry,
        { method: 'post', path: '/things', tag: 'test', summary: 's', access: 'public', scope: 'read', response: ZThing },
        async () => withStatus(202, { id: 'a', size: 1, tags: [] }),
      ),
    );
    const res = await request(app).post('/things');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: 'a', size: 1, tags: [] });
    expect(violations).toEqual([]);
  });

  it('should turn an answer that breaks the response schema into a 500 naming the problem, and record it', async () => {
    const { app, violations } = appWith((router, registry) =>
      route(
        router,
        registry,
        { method: 'get', path: '/things/{id}', tag: 'test', summary: 's', access: 'public', response: ZThing },
        async () => ({ id: 'a', size: 1.5, tags: [] }),
      ),
    );
    const res = await request(app).get('/things/x');
    expect(res.status).toBe(500);
    expect(res.body.error.message).toContain('GET /things/{id}');
    expect(res.body.error.message).toContain('$.size');
    expect(violations).toEqual([{ route: 'GET /things/{id}', status: 200, problems: [expect.stringContaining('$.size')] }]);
  });

  it('should record an undeclared field, a field left to its default, and JSON from a route without a schema', () => {
    expect(responseProblems(ZThing, { id: 'a', size: 1, tags: [], secret: 'x' })).toEqual([
      '$.secret: sent but not declared in the response schema',
    ]);
    expect(responseProblems(ZThing, { id: 'a', size: 1 })).toEqual(['$.tags: declared (with a default) but not sent']);
    expect(responseProblems(ZThing, { id: 'a', size: 1, tags: [] })).toEqual([]);
  });

  it('should hold error answers to the error body', async () => {
    const { app, violations } = appWith((router) =>
      router.get('/broken', (_req, res) => {
        res.status(409).json({ message: 'no code' });
      }),
    );
    expect((await request(app).get('/broken')).status).toBe(500);
    expect(violations[0]?.problems.join()).toContain('$.error');
  });
});
