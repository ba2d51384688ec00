import { AppError, ErrorCode, hasAnyRole, type Role, type TokenScope } from '@betang/core';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { actorOf, locals, type Authentication } from './context';
import { parseInput } from './validation';
import { safeEqual } from '../security/secrets';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.infer<S> : undefined;

/**
 * Media a handler writes itself through `res` instead of JSON: an event stream or a file (its
 * only answer, no `response` schema), or an HTML page offered by content negotiation next to the
 * JSON `response`.
 */
export type WrittenMedia = 'text/event-stream' | 'application/pdf' | 'text/csv' | 'text/html';

const REPLY = Symbol('betang.reply');

/** A JSON answer with a status other than the route's declared one (see `withStatus`). */
export type Reply<T> = { readonly [REPLY]: true; readonly status: number; readonly body: T };

/**
 * Answers `body` with `status` instead of the route's declared status (e.g. 202 when the work
 * waits for someone); the body is held to the route's response schema like any other answer.
 */
export function withStatus<T>(status: number, body: T): Reply<T> {
  return { [REPLY]: true, status, body };
}

function isReply(value: unknown): value is Reply<unknown> {
  return typeof value === 'object' && value !== null && REPLY in value;
}

/**
 * What a handler must return. With a `response` schema: a value of the schema's output type (the
 * shape the OpenAPI document publishes and clients parse), optionally `withStatus`. A route that
 * writes a stream or file returns nothing; one that also negotiates HTML may return nothing after
 * writing the page. Without either, the answer is 204 and the handler returns nothing.
 */
type HandlerResult<R, W> = R extends z.ZodType ? z.output<R> | Reply<z.output<R>> | ([W] extends [WrittenMedia] ? void : never) : void;

/** Who may call a route: anyone, any signed-in user, or holders of some roles. */
export type Access = 'public' | 'user' | readonly Role[];

/**
 * What an API token needs to call a route: one of the token scopes, or `session-only` (no token
 * may: signing, token and TOTP management need a person in a browser session). Session callers
 * are never limited by scopes.
 */
export type RouteScope = TokenScope | 'session-only';

/**
 * The scope of unsafe (POST/PUT/PATCH/DELETE) routes by tag, used when a route does not declare
 * its own. GET routes default to `read`. A new tag with unsafe routes must be added here (or its
 * routes must declare a scope): route() refuses to register an unscoped route.
 */
export const WRITE_SCOPE_BY_TAG: Readonly<Record<string, RouteScope>> = {
  applications: 'inventory:write',
  'vps-requests': 'requests:write',
  vms: 'requests:write',
  operator: 'operate',
  catalog: 'operate',
  cluster: 'operate',
  estate: 'operate',
  'ip-pools': 'admin',
  institutions: 'admin',
  quota: 'admin',
  settings: 'admin',
  users: 'admin',
  agreements: 'session-only',
  me: 'session-only',
  auth: 'session-only',
};

/** A route as the OpenAPI document and the router both see it. */
type RouteSpec<
  B extends Schema | undefined,
  Q extends Schema | undefined,
  P extends Schema | undefined,
  R extends Schema | undefined = Schema | undefined,
  W extends WrittenMedia | undefined = WrittenMedia | undefined,
> = {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: B;
  query?: Q;
  params?: P;
  /** The JSON answer's schema; the handler's return type is bound to it. Checked on every answer in tests (response-contract.ts). */
  response?: R;
  status?: number;
  /** Non-JSON media the handler writes itself through `res` (streams, files, a negotiated HTML page). */
  writes?: W;
  /** Scope an API token needs; defaults by method and tag (see resolveScope). Filled in the registry. */
  scope?: RouteScope;
  /** Served to users whose role requires TOTP before they enrol it (GET /me, enrolment, sign-out). */
  allowDuringTotpEnrolment?: boolean;
  /**
   * Reader of a non-JSON body (PDF, CSV). It runs only after authentication, the enrolment
   * restriction, the token scope, the role and CSRF were checked, so a refused caller never makes
   * the server read a large upload.
   */
  bodyReader?: RequestHandler;
};

type HandlerInput<B, Q, P, A extends Access> = {
  req: Request;
  res: Response;
  body: Out<B>;
  query: Out<Q>;
  params: Out<P>;
  auth: A extends 'public' ? Authentication | undefined : Authentication;
};

/** Every registered route, for the OpenAPI document. */
export type RouteRegistry = RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>[];

/** True for a route whose only answer is a stream or file it writes itself (no JSON response). */
export function writesOwnBody(spec: Pick<RouteSpec<undefined, undefined, undefined>, 'writes' | 'response'>): boolean {
  return spec.writes !== undefined && spec.response === undefined;
}

const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);

/**
 * The scope a route needs from an API token: its own `scope`, else `read` for GET, else the
 * tag's write scope. Public routes need none (undefined). Guarantees: throws for a non-public
 * route that would otherwise be left unscoped, so no such route can be registered.
 */
export function resolveScope(
  spec: Pick<RouteSpec<undefined, undefined, undefined>, 'method' | 'path' | 'tag' | 'access' | 'scope'>,
): RouteScope | undefined {
  if (spec.access === 'public') return undefined;
  const scope = spec.scope ?? (spec.method === 'get' ? 'read' : WRITE_SCOPE_BY_TAG[spec.tag]);
  if (!scope)
    throw new Error(
      `route ${spec.method.toUpperCase()} ${spec.path}: no token scope (declare \`scope\` or add tag "${spec.tag}" to WRITE_SCOPE_BY_TAG)`,
    );
  return scope;
}

/**
 * Registers a route: checks authentication, the TOTP-enrolment restriction, the API token's
 * scope, role and CSRF, validates params/query/body with the contract's zod schemas (400 with
 * field paths), runs the handler and sends its result as JSON. The same spec (with its resolved
 * scope) feeds the OpenAPI document, so the docs cannot drift from the validation.
 */
export function route<
  B extends Schema | undefined,
  Q extends Schema | undefined,
  P extends Schema | undefined,
  A extends Access,
  R extends Schema | undefined = undefined,
  W extends WrittenMedia | undefined = undefined,
>(
  router: Router,
  registry: RouteRegistry,
  spec: RouteSpec<B, Q, P, R, W> & { access: A },
  handler: (input: HandlerInput<B, Q, P, A>) => Promise<HandlerResult<R, W>>,
): void {
  const scope = resolveScope(spec);
  registry.push({ ...spec, scope } as RouteRegistry[number]);
  const expressPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
  if (spec.bodyReader) {
    const checked: RequestHandler = (req, res, next) => {
      authorize(req, res);
      next();
    };
    router[spec.method](expressPath, checked, spec.bodyReader, respond);
  } else {
    router[spec.method](expressPath, async (req: Request, res: Response) => {
      authorize(req, res);
      await respond(req, res);
    });
  }

  /** Authentication, TOTP-enrolment restriction, token scope, role and CSRF; throws the refusal. */
  function authorize(req: Request, res: Response): void {
    const { auth } = locals(res);
    if (spec.access !== 'public') {
      if (!auth) throw new AppError(ErrorCode.Unauthenticated);
      if (auth.totpEnrolmentPending && !spec.allowDuringTotpEnrolment) throw new AppError(ErrorCode.TotpEnrolmentRequired);
      if (auth.via === 'token' && (scope === 'session-only' || !scope || !auth.tokenScopes?.includes(scope))) {
        throw new AppError(ErrorCode.TokenScopeMissing, undefined, { required: scope });
      }
      if (Array.isArray(spec.access) && !hasAnyRole(actorOf(auth), spec.access)) throw new AppError(ErrorCode.Forbidden);
    }
    if (auth?.via === 'session' && UNSAFE.has(spec.method)) {
      const sent = req.get('x-csrf-token');
      if (!sent || !auth.csrfToken || !safeEqual(sent, auth.csrfToken)) throw new AppError(ErrorCode.CsrfTokenInvalid);
    }
  }

  /** Validation of params, query and body, the handler, and the JSON answer. */
  async function respond(req: Request, res: Response): Promise<void> {
    const { locale, auth } = locals(res);
    const params = spec.params ? parseInput(spec.params, req.params, 'params', locale) : undefined;
    const query = spec.query ? parseInput(spec.query, req.query, 'query', locale) : undefined;
    const body = spec.body ? parseInput(spec.body, req.body ?? {}, 'body', locale) : undefined;
    const result: unknown = await handler({ req, res, body, query, params, auth } as HandlerInput<B, Q, P, A>);
    if (res.headersSent) return;
    if (isReply(result)) res.status(result.status).json(result.body);
    else if (result !== undefined) res.status(spec.status ?? 200).json(result);
    else if (!spec.writes) res.status(spec.status ?? 204).end();
    else throw new Error(`route ${spec.method.toUpperCase()} ${spec.path}: the handler wrote no ${spec.writes} answer`);
  }
}
