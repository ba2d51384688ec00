import { ErrorCode } from '@betang/core';
import { TEST_PASSWORD, testSshKey } from '@betang/testkit';
import fc from 'fast-check';
import type { IncomingMessage } from 'node:http';
import type { Response } from 'supertest';
import type { z } from 'zod';
import { writesOwnBody, type RouteRegistry } from '../http/route';
import { ERROR_STATUS } from '../middleware/error-status';
import type { SignedIn } from './api-harness';
import { arbitraryFor, encodeAny, type ValueHints } from './zod-arbitrary';

/** One registered route. */
export type RouteEntry = RouteRegistry[number];

/** `METHOD /path` as the OpenAPI document and the test names spell it. */
export function routeName(spec: RouteEntry): string {
  return `${spec.method.toUpperCase()} ${spec.path}`;
}

/** The `{name}` placeholders of a path, in order. */
export function pathParams(spec: RouteEntry): string[] {
  return [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** The URL of a route with its placeholders replaced (each value URL-encoded, lone surrogates as U+FFFD). */
export function urlOf(spec: RouteEntry, values: Record<string, string>): string {
  return `/api/v1${spec.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeAny(values[name] ?? ''))}`;
}

/** The top-level field names of an object schema (empty for anything else). */
export function fieldsOf(schema: z.ZodType | undefined): string[] {
  let def = schema
    ? (schema as unknown as { _zod: { def: { type: string; shape?: object; in?: z.ZodType; innerType?: z.ZodType } } })._zod.def
    : undefined;
  while (def && !def.shape && (def.in || def.innerType))
    def = ((def.in ?? def.innerType) as unknown as { _zod: { def: typeof def } })._zod.def;
  return def?.shape ? Object.keys(def.shape) : [];
}

/** Realistic values for fields no generic generator can invent (keys that parse, rows that exist). */
export function defaultHints(knownIds: readonly string[]): ValueHints {
  const keys = [testSshKey('fuzz@betang'), testSshKey('kedua@betang')];
  return {
    knownIds,
    byField: {
      sshPublicKeys: fc.constantFrom(...keys),
      templateId: fc.constantFrom('debian-12', 'ubuntu-24.04'),
      presetId: fc.constantFrom('small', 'medium', 'large'),
      nip: fc.constant('198501012010011001'),
      picNip: fc.constant('198501012010011001'),
      phone: fc.constantFrom('0812555501', '+62 812-5555-0101'),
      password: fc.constant(TEST_PASSWORD),
      url: fc.constantFrom('https://gerbang.kalteng.go.id/hook', 'http://10.0.0.5:8080/telegram'),
    },
  };
}

const examples = new WeakMap<z.ZodType, WeakMap<ValueHints, { value: unknown }>>();

/**
 * A value `schema` accepts, found by sampling schema-shaped values with a fixed seed.
 * Guarantees: deterministic for a given schema and hints; throws naming `what` when no valid
 * value turns up (add a hint for the field the schema refines).
 */
export function validExample(schema: z.ZodType, hints: ValueHints, what: string, seed = 2026): unknown {
  const cached = examples.get(schema)?.get(hints);
  if (cached) return structuredClone(cached.value);
  const arbitrary = arbitraryFor(schema, hints);
  for (let batch = 0; batch < 50; batch++) {
    for (const candidate of fc.sample(arbitrary, { numRuns: 10, seed: seed + batch })) {
      if (!schema.safeParse(candidate).success) continue;
      if (!examples.has(schema)) examples.set(schema, new WeakMap());
      examples.get(schema)!.set(hints, { value: candidate });
      return structuredClone(candidate);
    }
  }
  throw new Error(`no valid example for ${what}: add a hint in route-walk.ts defaultHints for the refined field`);
}

/**
 * Reads a raw response (file, event stream) until it ends or, for a stream that never ends,
 * until 300 ms after its first bytes; the body is the bytes read (parsed when JSON).
 */
function firstBytes(res: IncomingMessage, callback: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (done) return;
    done = true;
    if (timer) clearTimeout(timer);
    const bytes = Buffer.concat(chunks);
    // Errors of raw routes are JSON like every other error: parse them so they can be checked.
    if (/json/.test(String(res.headers['content-type']))) {
      try {
        callback(null, JSON.parse(bytes.toString('utf8')));
        return;
      } catch {
        // not JSON after all: hand over the bytes
      }
    }
    callback(null, bytes);
  };
  res.on('data', (chunk: Buffer) => {
    chunks.push(Buffer.from(chunk));
    timer ??= setTimeout(() => {
      finish();
      res.destroy();
    }, 300);
  });
  res.on('end', finish);
  res.on('error', finish);
}

/** Sends a request as `client` (CSRF token on unsafe methods) with an optional JSON or raw body. */
export function send(
  client: SignedIn,
  spec: RouteEntry,
  url: string,
  body?: { json: unknown } | { raw: string | Buffer; type: string },
  headers: Record<string, string> = {},
): Promise<Response> {
  let test = client.agent[spec.method](url).set('X-CSRF-Token', client.csrfToken).timeout({ response: 20_000, deadline: 30_000 });
  for (const [k, v] of Object.entries(headers)) test = test.set(k, v);
  if (writesOwnBody(spec) && spec.method === 'get')
    test = test.buffer(true).parse((res, callback) => firstBytes(res as unknown as IncomingMessage, callback)); // superagent hands the node response to a parser
  if (body && 'json' in body) return test.set('Content-Type', 'application/json').send(JSON.stringify(body.json) ?? 'null');
  if (body && 'raw' in body) return test.set('Content-Type', body.type).send(body.raw);
  return test;
}

/**
 * Problems with an error response: it must be the error shape (`{error: {code, message,
 * requestId}}`), its code known and mapped to the status sent, its message non-empty in the
 * language asked for. Empty list = well-formed.
 */
export function errorBodyProblems(response: Response): string[] {
  const problems: string[] = [];
  const error = (response.body as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | undefined)?.error;
  if (!/application\/json/.test(String(response.headers['content-type'])))
    problems.push(`content-type ${String(response.headers['content-type'])}`);
  if (!error) return [...problems, `no error object: ${String(response.text ?? response.body).slice(0, 200)}`];
  if (typeof error.code !== 'string' || !(Object.values(ErrorCode) as string[]).includes(error.code))
    problems.push(`unknown code ${String(error.code)}`);
  else if (ERROR_STATUS[error.code as ErrorCode] !== response.status)
    problems.push(`code ${error.code} sent with status ${response.status}`);
  if (typeof error.message !== 'string' || error.message.trim().length === 0) problems.push('empty message');
  if (typeof error.requestId !== 'string') problems.push('no requestId');
  return problems;
}

/** One string a request schema accepts somewhere: where it sits and the lengths it allows. */
export type StringLeaf = {
  path: (string | number)[];
  min: number;
  max: number | undefined;
  format: string | undefined;
  /** Most items the innermost array around the string may hold (undefined: not in an array, or unbounded). */
  arrayMax?: number | undefined;
};

type WalkDef = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  format?: string;
  checks?: { _zod: { def: { check: string; minimum?: number; maximum?: number; length?: number; format?: string } } }[];
};

function maxItemsOf(def: WalkDef): number | undefined {
  return def.checks?.map((c) => c._zod.def).find((c) => c.check === 'max_length')?.maximum;
}

function walkDef(schema: z.ZodType): WalkDef {
  return (schema as unknown as { _zod: { def: WalkDef } })._zod.def;
}

/**
 * Every string field of a request schema (through objects, optional/nullable/default wrappers,
 * pipes and arrays — an array's element at index 0; a union's first option), with its length
 * bounds. Guarantees: deterministic order; a construct it does not know is skipped, never thrown.
 */
export function stringLeavesOf(schema: z.ZodType | undefined, path: (string | number)[] = [], depth = 0, arrayMax?: number): StringLeaf[] {
  if (!schema || depth > 8) return [];
  const def = walkDef(schema);
  switch (def.type) {
    case 'string': {
      let min = 0;
      let max: number | undefined;
      let format = def.format;
      for (const { _zod: c } of def.checks ?? []) {
        if (c.def.check === 'min_length' && c.def.minimum !== undefined) min = c.def.minimum;
        if (c.def.check === 'max_length' && c.def.maximum !== undefined) max = c.def.maximum;
        if (c.def.check === 'length_equals' && c.def.length !== undefined) min = max = c.def.length;
        if (c.def.check === 'string_format') format = c.def.format ?? format;
      }
      return [{ path, min, max, format, arrayMax }];
    }
    case 'object':
      return Object.entries(def.shape ?? {}).flatMap(([key, s]) => stringLeavesOf(s, [...path, key], depth + 1, arrayMax));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return stringLeavesOf(def.innerType, path, depth + 1, arrayMax);
    case 'pipe':
      return stringLeavesOf(def.in, path, depth + 1, arrayMax);
    case 'array':
      return stringLeavesOf(def.element, [...path, 0], depth + 1, maxItemsOf(def));
    case 'union':
      return stringLeavesOf(def.options?.[0], path, depth + 1, arrayMax);
    default:
      return [];
  }
}

/** A copy of `value` with `replacement` at `path` (objects and arrays created where missing). */
export function withValueAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const array = Array.isArray(value) ? [...(value as unknown[])] : [];
    array[head] = withValueAt(array[head], rest, replacement);
    return array;
  }
  const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
  object[head!] = withValueAt(object[head!], rest, replacement);
  return object;
}

/** The value at `path` inside `value`, or undefined. */
export function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
