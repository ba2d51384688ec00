import { AppError, ErrorCode, hasAnyRole, type Role } from '@betang/core';
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { actorOf, locals, type Authentication } from './context';
import { parseInput } from './validation';
import { safeEqual } from '../security/secrets';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** Who may call a route: anyone, any signed-in user, or holders of some roles. */
export type Access = 'public' | 'user' | readonly Role[];

/** A route as the OpenAPI document and the router both see it. */
export type RouteSpec<B extends Schema | undefined, Q extends Schema | undefined, P extends Schema | undefined> = {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: B;
  query?: Q;
  params?: P;
  response?: Schema;
  status?: number;
  /** The handler writes the response itself (files, streams); its return value is ignored. */
  raw?: boolean;
};

export type HandlerInput<B, Q, P, A extends Access> = {
  req: Request;
  res: Response;
  body: Out<B>;
  query: Out<Q>;
  params: Out<P>;
  auth: A extends 'public' ? Authentication | undefined : Authentication;
};

/** Every registered route, for the OpenAPI document. */
export type RouteRegistry = RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>[];

const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);

/**
 * Registers a route: checks authentication, role and CSRF, validates params/query/body with the
 * contract's zod schemas (400 with field paths), runs the handler and sends its result as JSON.
 * The same spec feeds the OpenAPI document, so the docs cannot drift from the validation.
 */
export function route<B extends Schema | undefined, Q extends Schema | undefined, P extends Schema | undefined, A extends Access>(
  router: Router,
  registry: RouteRegistry,
  spec: RouteSpec<B, Q, P> & { access: A },
  handler: (input: HandlerInput<B, Q, P, A>) => Promise<unknown>,
): void {
  registry.push(spec as RouteRegistry[number]);
  const expressPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
  router[spec.method](expressPath, async (req: Request, res: Response) => {
    const { locale, auth } = locals(res);
    if (spec.access !== 'public') {
      if (!auth) throw new AppError(ErrorCode.Unauthenticated);
      if (Array.isArray(spec.access) && !hasAnyRole(actorOf(auth), spec.access)) throw new AppError(ErrorCode.Forbidden);
    }
    if (auth?.via === 'session' && UNSAFE.has(spec.method)) {
      const sent = req.get('x-csrf-token');
      if (!sent || !auth.csrfToken || !safeEqual(sent, auth.csrfToken)) throw new AppError(ErrorCode.CsrfTokenInvalid);
    }
    const params = spec.params ? parseInput(spec.params, req.params, 'params', locale) : undefined;
    const query = spec.query ? parseInput(spec.query, req.query, 'query', locale) : undefined;
    const body = spec.body ? parseInput(spec.body, req.body ?? {}, 'body', locale) : undefined;
    const result = await handler({ req, res, body, query, params, auth } as HandlerInput<B, Q, P, A>);
    if (spec.raw || res.headersSent) return;
    if (result === undefined) res.status(spec.status ?? 204).end();
    else res.status(spec.status ?? 200).json(result);
  });
}
