import { ErrorCode, ZErrorBody } from '@betang/core';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import type { RouteRegistry } from './route';

/** One answer that broke its route's declared contract. */
export type ResponseContractViolation = { route: string; status: number; problems: string[] };

/** Where in a JSON value two values differ: keys only one side has, or different leaves. */
function differences(sent: unknown, parsed: unknown, at = '$'): string[] {
  if (isDeepStrictEqual(sent, parsed)) return [];
  const bothObjects = typeof sent === 'object' && sent !== null && typeof parsed === 'object' && parsed !== null;
  if (!bothObjects || Array.isArray(sent) !== Array.isArray(parsed))
    return [`${at}: sent ${JSON.stringify(sent)?.slice(0, 80)}, the schema makes it ${JSON.stringify(parsed)?.slice(0, 80)}`];
  const a = sent as Record<string, unknown>;
  const b = parsed as Record<string, unknown>;
  const out: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!(key in b)) out.push(`${at}.${key}: sent but not declared in the response schema`);
    else if (!(key in a)) out.push(`${at}.${key}: declared (with a default) but not sent`);
    else out.push(...differences(a[key], b[key], `${at}.${key}`));
  }
  return out;
}

/**
 * The problems of `body` against `schema`, as a client sees it: the JSON must parse, and parsing
 * must change nothing — no undeclared field stripped, no default filled in, no value transformed —
 * so what the server sends is exactly the schema's output type the OpenAPI document publishes.
 */
export function responseProblems(schema: z.ZodType, body: unknown): string[] {
  const wire: unknown = body === undefined ? undefined : JSON.parse(JSON.stringify(body));
  const parsed = schema.safeParse(wire);
  if (!parsed.success)
    return parsed.error.issues.map((issue) => `$${issue.path.map((p) => `.${String(p)}`).join('')}: ${issue.message} (${issue.code})`);
  return differences(wire, JSON.parse(JSON.stringify(parsed.data)));
}

function specFor(registry: RouteRegistry, req: Request): RouteRegistry[number] | undefined {
  const routePath: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof routePath !== 'string') return undefined;
  const method = req.method.toLowerCase();
  return registry.find((spec) => spec.method === method && spec.path.replace(/\{(\w+)\}/g, ':$1') === routePath);
}

/**
 * Test-only middleware (createApp mounts it when NODE_ENV=test, so production pays nothing):
 * every JSON answer of a registered route is held to the route's declared `response` schema, and
 * every error answer to the error body. A mismatch becomes a 500 whose message lists the zod
 * issues, is logged, and is recorded in `violations`, which the API test harness asserts empty.
 */
export function responseContractCheck(registry: RouteRegistry, logger: Logger, violations: ResponseContractViolation[]): RequestHandler {
  return (req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown): Response => {
      const spec = specFor(registry, req);
      const status = res.statusCode;
      const label = spec ? `${spec.method.toUpperCase()} ${spec.path}` : `${req.method} ${req.originalUrl}`;
      let problems: string[];
      if (status >= 400) problems = responseProblems(ZErrorBody, body);
      else if (!spec) problems = [];
      else if (!spec.response) problems = [`answered ${status} with JSON, but the route declares no response schema`];
      else problems = responseProblems(spec.response, body);
      if (problems.length === 0) return json(body);
      violations.push({ route: label, status, problems });
      logger.error({ route: label, status, problems }, 'response contract violated');
      res.status(500);
      return json({
        error: { code: ErrorCode.Internal, message: `response contract violated by ${label} (${status}): ${problems.join('; ')}` },
      });
    };
    next();
  };
}
