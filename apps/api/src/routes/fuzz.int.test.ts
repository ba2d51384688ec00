import { DATA_CENTER_ROLES, INSTITUTION_ROLES, Role, defaultMessage, type ErrorCode } from '@betang/core';
import { makeUser, TEST_OIDC_CLIENT_SECRET } from '@betang/testkit';
import fc from 'fast-check';
import { pino } from 'pino';
import request from 'supertest';
import { createApp, JSON_BODY_LIMIT, routeRegistryOf } from '../app';
import type { AppDeps } from '../deps';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { fuzzSeed } from '../testing/fuzz-seed';
import {
  defaultHints,
  errorBodyProblems,
  pathParams,
  routeName,
  send,
  stringLeavesOf,
  urlOf,
  validExample,
  withValueAt,
  type RouteEntry,
  type StringLeaf,
} from '../testing/route-walk';
import { fillPath, seedTenant, seedWorld, type Tenant } from '../testing/tenant-fixture';
import { arbitraryFor, encodeAny, hostileString, hostileValue, nearValid, queryArbitrary, type ValueHints } from '../testing/zod-arbitrary';
import { CSV_IMPORT_LIMIT } from './applications.routes';

/**
 * Fuzz: every route of the app's own registry (a new route is fuzzed without touching
 * this file) gets random and hostile path parameters, queries and bodies — schema-shaped values,
 * the same with one field broken, hostile JSON, raw non-JSON bodies and wrong content types —
 * sent by a signed-in user holding a role the route admits, with a valid CSRF token. Every
 * answer must be below 500, and every 4xx the error shape with a message in the language asked.
 *
 * FUZZ_RUNS (default 20) sets the random cases per route. The seed is printed when the file
 * starts and in every failure, with the command that replays it: FUZZ_SEED=<seed> gives the same
 * cases again (fast-check also prints the counterexample).
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const { seed: SEED, replay: REPLAY } = fuzzSeed(__filename);

/** Routes fuzzed with fixed cases only, and why. Empty by design: add one only with its reason. */
const FIXED_CASES_ONLY: Record<string, string> = {};

/** The registry as createApp builds it, read at load time so each route is its own test. */
const ROUTES = routeRegistryOf(
  createApp({
    db: {} as AppDeps['db'], // never queried: only the route list is read
    logger: pino({ level: 'silent' }),
    // Only the route list is read; the first test checks it equals the harness app's list.
    config: {
      PUBLIC_URL: 'http://127.0.0.1:3000',
      SESSION_TTL_HOURS: 1,
      COOKIE_SECURE: false,
      TRUST_PROXY_HOPS: 0,
      WEB_DIST_DIR: undefined,
      NODE_ENV: 'test',
      SIGNING_MASTER_SECRET: 'uji-rahasia-induk-penandatanganan-betang',
      TOTP_REQUIRED_ROLES: [],
    } as AppDeps['config'],
  }),
);

/** Order in which roles are picked to send the fuzz. */
const PREFERENCE = [Role.Admin, Role.Operator, Role.DcHead, Role.Auditor, Role.InstitutionHead, Role.InstitutionStaff];

type Case = {
  path: Record<string, string>;
  query: string;
  body?: { json: unknown } | { raw: string | Buffer; type: string };
  lang: 'id' | 'en';
  as: number;
  headers?: Record<string, string>;
};

const MALFORMED_PARAMS = [
  '',
  '..',
  '%',
  '%00',
  'null',
  '-1',
  '1e309',
  '00000000-0000-0000-0000-00000000000g',
  'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
  "' OR '1'='1",
  '$(id)',
  '\u202E',
  '\u0000',
  'x'.repeat(3000),
  '../../etc/passwd',
  '{}',
];

const RAW_BODIES: { raw: string | Buffer; type: string }[] = [
  { raw: '{"a":', type: 'application/json' },
  { raw: 'bukan json', type: 'application/json' },
  { raw: '[1,2', type: 'application/json' },
  { raw: '"string"', type: 'application/json' },
  { raw: 'null', type: 'application/json' },
  { raw: '1e999', type: 'application/json' },
  { raw: '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}', type: 'application/json' },
  { raw: '{"a":1}', type: 'application/json; charset=utf-16' },
  { raw: '{"a":1}', type: 'application/vnd.api+json' },
  { raw: 'a=1&b=2&__proto__[x]=1', type: 'application/x-www-form-urlencoded' },
  { raw: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', type: 'application/xml' },
  { raw: '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--', type: 'multipart/form-data; boundary=b' },
  { raw: 'teks biasa', type: 'text/plain' },
  { raw: 'nama,jenis\n"=cmd|\' /C calc\'!A0",khusus\n', type: 'text/csv' },
  { raw: Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0x00, 0xff, 0xfe]), type: 'application/pdf' },
  { raw: Buffer.from([0x00, 0xff, 0x10, 0x80]), type: 'application/octet-stream' },
  { raw: JSON.stringify({ data: 'x'.repeat(parseLimit(JSON_BODY_LIMIT) + 10) }), type: 'application/json' },
];

/** A report with runs of one repeated character shortened and the whole capped, so failures stay readable. */
function abridge(text: string): string {
  const short = text.replace(/(.)\1{40,}/gs, (run, c: string) => `${c.repeat(8)}…(${run.length}×)`);
  return short.length > 4000 ? `${short.slice(0, 4000)}…` : short;
}

function parseLimit(limit: string): number {
  const match = /^(\d+)kb$/.exec(limit);
  return match ? Number(match[1]) * 1024 : 256 * 1024;
}

describe('fuzz: every route answers hostile input with a 4xx, never a 5xx', () => {
  let h: ApiHarness;
  let tenant: Tenant;
  let other: Tenant;
  let hints: ValueHints;
  const emails: Partial<Record<Role, string>> = {};

  beforeAll(async () => {
    // Fuzzing POST /auth/login fails sign-ins on purpose; the per-IP sign-in limit (its own tests
    // cover it) is raised so the fresh sessions of the later routes are not refused with 429.
    const generous = { limit: 1_000_000, windowSeconds: 900 };
    // Single sign-on is on, with a provider nobody answers for (port 1): its start and callback
    // routes then run their whole refusal paths under fuzzing instead of answering "off".
    h = await startApiHarness({
      rateLimits: { loginPerIp: { name: 'login-ip', ...generous }, oidcPerIp: { name: 'oidc-ip', ...generous } },
      oidc: {
        OIDC_ISSUER_URL: 'http://127.0.0.1:1',
        OIDC_CLIENT_ID: 'betang',
        OIDC_CLIENT_SECRET: TEST_OIDC_CLIENT_SECRET,
        OIDC_REDIRECT_URI: 'http://127.0.0.1:3000/api/v1/auth/oidc/callback',
      },
    });
    const world = await seedWorld(h);
    tenant = await seedTenant(h, world, 'F');
    other = await seedTenant(h, world, 'G');
    const { db } = h.database;
    for (const role of [Role.Admin, Role.Operator, Role.DcHead, Role.Auditor]) emails[role] = (await makeUser(db, { roles: [role] })).email;
    // The fuzzing users are not among the known ids, so a valid PATCH /users/{id} cannot lock them out.
    emails[Role.InstitutionHead] = (await makeUser(db, { roles: [Role.InstitutionHead], institutionId: tenant.ids.institution })).email;
    emails[Role.InstitutionStaff] = (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: tenant.ids.institution })).email;
    const agreement = await db
      .selectFrom('agreements')
      .select('verificationCode')
      .where('id', '=', tenant.ids.agreement)
      .executeTakeFirstOrThrow();
    hints = defaultHints([...Object.values(tenant.ids), other.ids.request, other.ids.application, other.ids.institution]);
    hints = {
      ...hints,
      byField: {
        ...hints.byField,
        code: fc.constantFrom(agreement.verificationCode, 'ABCDEFGHJKLMNPQR'),
        applicationId: fc.oneof(fc.constant(tenant.ids.application), fc.uuid()),
        institutionId: fc.oneof(fc.constant(tenant.ids.institution), fc.constant(other.ids.institution), fc.uuid()),
      },
    };
  }, 90_000);
  afterAll(() => h.close());

  /**
   * Fresh sessions (a fuzzed logout or token revocation must not leak into the next route): a
   * data-center role the route admits (admin first) and an institution role it admits.
   */
  async function clientsOf(spec: RouteEntry): Promise<SignedIn[]> {
    if (spec.access === 'public') return [{ agent: request.agent(h.app), csrfToken: 'tidak-ada' }];
    // Fuzzing POST /me/password (and /auth/login) fails re-authentications on purpose, and they
    // count toward the account's sign-in delays (their own tests cover them): the delays are
    // forgotten before the next route's fresh sessions.
    await h.database.db.deleteFrom('loginThrottle').execute();
    const admitted = spec.access === 'user' ? PREFERENCE : PREFERENCE.filter((r) => (spec.access as readonly Role[]).includes(r));
    const roles = [admitted.find((r) => DATA_CENTER_ROLES.includes(r)), admitted.find((r) => INSTITUTION_ROLES.includes(r))].filter(
      (r): r is Role => r !== undefined,
    );
    return Promise.all(roles.map((r) => signInAs(h.app, emails[r]!)));
  }

  function caseArbitrary(spec: RouteEntry, clients: number): fc.Arbitrary<Case> {
    const params = pathParams(spec);
    const paramValue = (name: string): fc.Arbitrary<string> => {
      const shape = spec.params
        ? (spec.params as unknown as { _zod: { def: { shape?: Record<string, never> } } })._zod.def.shape
        : undefined;
      const valid = shape?.[name] ? arbitraryFor(shape[name], hints, name).map(String) : fc.uuid();
      // The tenant's own row of the kind this path names, so handlers run past their lookup.
      const filled = fillPath(spec, tenant.ids);
      const real = typeof filled === 'string' || filled[name] === undefined ? valid : fc.constant(filled[name]);
      return fc.oneof(
        { weight: 3, arbitrary: real },
        { weight: 2, arbitrary: valid },
        { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_PARAMS) },
        { weight: 1, arbitrary: hostileString.map((s) => s.slice(0, 2000)) },
      );
    };
    const path = fc.record(Object.fromEntries(params.map((p) => [p, paramValue(p)])) as Record<string, fc.Arbitrary<string>>);
    // Node itself answers 431 to a request head over 16 KiB, before Express: longer queries test Node, not Betang.
    const query = (
      spec.query
        ? queryArbitrary(spec.query, hints)
        : fc.oneof(fc.constant(''), fc.constant(''), fc.constantFrom('a=1', '__proto__=1', 'limit=-1'))
    ).map((q) => q.slice(0, 8000).replace(/%[0-9A-F]?$/i, ''));
    const unsafe = spec.method !== 'get';
    const jsonBody = spec.body
      ? fc.oneof(
          { weight: 3, arbitrary: nearValid(spec.body, hints) },
          { weight: 2, arbitrary: arbitraryFor(spec.body, hints) },
          { weight: 2, arbitrary: hostileValue },
        )
      : hostileValue;
    const body: fc.Arbitrary<Case['body']> = unsafe
      ? fc.oneof({ weight: 5, arbitrary: jsonBody.map((json) => ({ json })) }, { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES) })
      : fc.constant(undefined);
    return fc.record({ path, query, body, lang: fc.constantFrom('id' as const, 'en' as const), as: fc.nat({ max: clients - 1 }) });
  }

  /** What is wrong with the answer to one case (empty = fine). */
  function problems(spec: RouteEntry, response: request.Response, lang: 'id' | 'en'): string[] {
    if (response.status >= 500) return [`${response.status}: ${String(response.text).slice(0, 300)}`];
    if (response.status < 400) return [];
    const found = errorBodyProblems(response);
    const error = (response.body as { error?: { code?: ErrorCode; message?: string } }).error;
    if (error?.code && error.message) {
      const messages = defaultMessage(error.code);
      const wrong = lang === 'en' ? messages.id : messages.en;
      if (messages.id !== messages.en && error.message === wrong) found.push(`message in the wrong language for ${lang}: ${error.message}`);
    }
    return found.map((p) => `${response.status} ${p}`);
  }

  /** Statuses seen per route in the random cases (FUZZ_REPORT=1 prints them). */
  const seen = new Map<string, Map<number, number>>();

  async function run(clients: SignedIn[], spec: RouteEntry, c: Case, tally = false): Promise<string[]> {
    const qs = c.query ? `?${c.query}` : '';
    const response = await send(clients[c.as]!, spec, urlOf(spec, c.path) + qs, c.body, { 'Accept-Language': c.lang, ...c.headers });
    if (tally) {
      const statuses = seen.get(routeName(spec)) ?? new Map<number, number>();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      seen.set(routeName(spec), statuses);
    }
    return problems(spec, response, c.lang);
  }

  it('fuzzes every route of the registry, as many as the OpenAPI document lists', async () => {
    const doc = await request(h.app).get('/api/v1/openapi.json');
    const operations = Object.values(doc.body.paths as Record<string, object>).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(ROUTES.length).toBe(operations);
    expect(routeRegistryOf(h.app).map(routeName)).toEqual(ROUTES.map(routeName));
  });

  describe.each(ROUTES.map((spec) => [routeName(spec), spec] as const))('%s', (_name, spec) => {
    it('answers malformed path parameters, raw bodies and wrong content types with a well-formed 4xx', async () => {
      const clients = await clientsOf(spec);
      const failures: string[] = [];
      const params = pathParams(spec);
      const valid = Object.fromEntries(params.map((p) => [p, p === 'code' ? 'ABCDEFGHJKLMNPQR' : tenant.ids.request]));
      const cases: Case[] = [
        ...params.flatMap((p) =>
          MALFORMED_PARAMS.map((bad): Case => ({
            path: { ...valid, [p]: bad },
            query: '',
            lang: 'en',
            as: 0,
            body: spec.method === 'get' ? undefined : { json: {} },
          })),
        ),
        ...(spec.method === 'get' ? [] : RAW_BODIES.map((body): Case => ({ path: valid, query: '', body, lang: 'id', as: 0 }))),
        {
          path: valid,
          query: '',
          lang: 'id',
          as: 0,
          body: spec.method === 'get' ? undefined : { raw: 'H4sIAAAA', type: 'application/json' },
          headers: { 'Content-Encoding': 'gzip' },
        },
        {
          path: valid,
          query: '',
          lang: 'id',
          as: 0,
          body: spec.method === 'get' ? undefined : { raw: '{}', type: 'application/json' },
          headers: { 'Content-Encoding': 'br-bogus' },
        },
      ];
      for (const c of cases) {
        const found = await run(clients, spec, c);
        if (found.length > 0)
          failures.push(
            abridge(
              `${JSON.stringify({ ...c, body: c.body && 'raw' in c.body ? { type: c.body.type, raw: String(c.body.raw).slice(0, 80) } : c.body })}: ${found.join('; ')}`,
            ),
          );
      }
      expect(failures).toEqual([]);
    }, 120_000);

    const fixedOnly = FIXED_CASES_ONLY[routeName(spec)];
    (fixedOnly ? it.skip : it)(
      fixedOnly ? `random cases skipped: ${fixedOnly}` : `answers ${RUNS} random and near-valid requests below 500`,
      async () => {
        const clients = await clientsOf(spec);
        try {
          await fc.assert(
            fc.asyncProperty(caseArbitrary(spec, clients.length), async (c) => {
              const found = await run(clients, spec, c, true);
              if (found.length > 0) throw new Error(found.join('; '));
            }),
            { numRuns: RUNS, seed: SEED, endOnFailure: true },
          );
        } catch (error) {
          // fast-check's report holds the seed and the case; long hostile strings are abridged.
          const cause = error instanceof Error && error.cause instanceof Error ? `\nGot: ${error.cause.message}` : '';
          throw new Error(abridge(`${REPLAY}\n${error instanceof Error ? error.message : String(error)}${cause}`), { cause: error });
        }
      },
      120_000,
    );
  });

  describe('regressions the fuzz found (fixed; asserted here case by case)', () => {
    it('PATCH /institutions/{id} with an empty body changes nothing and answers 200, not 500', async () => {
      const admin = await signInAs(h.app, emails[Role.Admin]!);
      const response = await admin.agent
        .patch(`/api/v1/institutions/${tenant.ids.institution}`)
        .set('X-CSRF-Token', admin.csrfToken)
        .send({});
      expect(response.status).toBe(200);
      expect(response.body.id).toBe(tenant.ids.institution);
    });

    it('POST /users and PATCH /users/{id} with a repeated role answer 400 on body.roles, not 500', async () => {
      const admin = await signInAs(h.app, emails[Role.Admin]!);
      const created = await admin.agent
        .post('/api/v1/users')
        .set('X-CSRF-Token', admin.csrfToken)
        .send({ email: 'ganda@kalteng.go.id', name: 'Peran Ganda', password: 'panjang-sekali-123', roles: ['operator', 'operator'] });
      expect(created.status).toBe(400);
      expect(created.body.error.details).toEqual([expect.objectContaining({ path: 'body.roles' })]);
      const patched = await admin.agent
        .patch(`/api/v1/users/${tenant.ids.staff}`)
        .set('X-CSRF-Token', admin.csrfToken)
        .send({ roles: ['institution_staff', 'institution_staff'] });
      expect(patched.status).toBe(400);
    });

    it('a corrupt gzip body answers 400 VALIDATION_FAILED, not 500', async () => {
      const admin = await signInAs(h.app, emails[Role.Admin]!);
      const response = await admin.agent
        .post('/api/v1/institutions')
        .set('X-CSRF-Token', admin.csrfToken)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send('H4sIAAAA');
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'body', code: 'unreadable_body' }] });
    });
  });

  /**
   * Hostile lengths and characters in every string field the schemas describe (body and query,
   * found by walking them, so a new field is covered without touching this file): one past the
   * maximum, a run of about 200 KB (inside the 256 KB JSON limit; 4,000 characters in a query,
   * which Node caps at 16 KiB of head) of a character the validators' patterns touch, 100,000
   * spaces, NUL, and the other control characters. Each answer must be a success or a well-formed
   * 4xx in the language asked, and never slow: at most HOSTILE_SLOWDOWN times the same request
   * with the example's own value (timed here; a quadratic pattern took 77 s on 100,000 spaces).
   * Deterministic: FUZZ_RUNS does not scale it.
   */
  describe('hostile lengths in every string field', () => {
    const HOSTILE_SLOWDOWN = 25;
    const BODY_RUN = 200_000;
    const QUERY_RUN = 4_000;
    // Characters the validators' patterns and trims act on: letters, digits, dash, dot, @, space, tab, NUL, a combining accent.
    const RUN_CHARACTERS = ['a', '0', '-', '.', '@', ' ', '\t', '\u0000', 'e\u0301'];
    const CONTROLS = ['a\u0000b', '\u0000', '\u0001\u001b[31m\u007f\u0085\u009f', 'a\ud800b', 'a\u2028b', '\r\n\r\nX-Injected: 1'];

    function hostileValuesFor(leaf: StringLeaf, index: number, where: 'body' | 'query'): { label: string; value: string }[] {
      const run = where === 'body' ? BODY_RUN : QUERY_RUN;
      const character = RUN_CHARACTERS[index % RUN_CHARACTERS.length]!;
      // At the maximum the value passes the length check and reaches every later rule (a
      // parser, a pattern): spaces between two letters survive a leading trim and are what a
      // backtracking trailing pattern retries from every position.
      const atMax =
        leaf.max !== undefined && leaf.max > 2 && leaf.max < run
          ? [{ label: `x, ${leaf.max - 2} spaces, x`, value: `x${' '.repeat(leaf.max - 2)}x` }]
          : [];
      return [
        ...(leaf.max !== undefined && leaf.max + 1 < run ? [{ label: `max+1 (${leaf.max + 1})`, value: 'a'.repeat(leaf.max + 1) }] : []),
        ...atMax,
        { label: `${run} spaces`, value: ' '.repeat(where === 'body' ? 100_000 : run) },
        { label: `run of ${JSON.stringify(character)}`, value: character.repeat(Math.floor(run / character.length)) },
        ...CONTROLS.map((value) => ({ label: JSON.stringify(value), value })),
      ];
    }

    /** A valid example with the fuzz's hints, or with the plain ones where a fuzz hint does not fit (`code` is a TOTP code in POST /me/totp). */
    function exampleOf(schema: NonNullable<RouteEntry['body']>, what: string): unknown {
      try {
        return validExample(schema, hints, what);
      } catch {
        return validExample(schema, defaultHints(Object.values(tenant.ids)), what);
      }
    }

    function queryString(value: unknown): string {
      return Object.entries((value ?? {}) as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${encodeAny(k)}=${encodeAny(typeof v === 'string' ? v : JSON.stringify(v))}`)
        .join('&');
    }

    /** Wall time of one request in ms, and the response. */
    async function timed(
      client: SignedIn,
      spec: RouteEntry,
      url: string,
      body: Case['body'],
      lang: 'id' | 'en',
    ): Promise<{ ms: number; response: request.Response }> {
      const started = process.hrtime.bigint();
      const response = await send(client, spec, url, body, { 'Accept-Language': lang });
      return { ms: Number(process.hrtime.bigint() - started) / 1e6, response };
    }

    const withStrings = ROUTES.filter(
      (spec) => !spec.bodyReader && stringLeavesOf(spec.body).length + stringLeavesOf(spec.query).length > 0,
    );

    it('walks the string fields of the routes that take text (body and query)', () => {
      const leaves = withStrings.flatMap((spec) => [...stringLeavesOf(spec.body), ...stringLeavesOf(spec.query)]);
      expect(withStrings.length).toBeGreaterThanOrEqual(25);
      expect(leaves.length).toBeGreaterThanOrEqual(100);
    });

    /**
     * A user of its own for each route, holding the first role the route admits: hostile
     * re-authentication (a wrong TOTP code sent a dozen times) may lock it, never the next route's.
     */
    async function ownClient(spec: RouteEntry): Promise<SignedIn> {
      if (spec.access === 'public') return (await clientsOf(spec))[0]!;
      const admitted = spec.access === 'user' ? PREFERENCE : PREFERENCE.filter((r) => (spec.access as readonly Role[]).includes(r));
      const role = admitted.find((r) => DATA_CENTER_ROLES.includes(r)) ?? admitted[0]!;
      const user = await makeUser(h.database.db, {
        roles: [role],
        ...(INSTITUTION_ROLES.includes(role) ? { institutionId: tenant.ids.institution } : {}),
      });
      return signInAs(h.app, user.email);
    }

    it.each(withStrings.map((spec) => [routeName(spec), spec] as const))(
      '%s: well-formed answers, never 500, never slow',
      async (_name, spec) => {
        const client = await ownClient(spec);
        const filled = fillPath(spec, tenant.ids);
        const path =
          typeof filled === 'string'
            ? Object.fromEntries(pathParams(spec).map((p) => [p, p === 'code' ? 'ABCDEFGHJKLMNPQR' : tenant.ids.request]))
            : filled;
        const body = spec.body ? exampleOf(spec.body, `${routeName(spec)} body`) : undefined;
        // A random cursor is refused on its own: the paging position stays out of it.
        const query = spec.query
          ? ({ ...(exampleOf(spec.query, `${routeName(spec)} query`) as Record<string, unknown>), cursor: undefined } as Record<
              string,
              unknown
            >)
          : undefined;
        const urlWith = (q: unknown) => urlOf(spec, path) + (q ? `?${queryString(q)}` : '');
        const jsonOf = (b: unknown): Case['body'] => (spec.method === 'get' ? undefined : { json: b ?? {} });

        // The baseline: the same request with the example's own values, the fastest of three.
        let baseline = Number.POSITIVE_INFINITY;
        for (let i = 0; i < 3; i += 1) baseline = Math.min(baseline, (await timed(client, spec, urlWith(query), jsonOf(body), 'id')).ms);
        const budget = Math.max(baseline, 1) * HOSTILE_SLOWDOWN;

        const failures: string[] = [];
        const check = async (label: string, url: string, sent: Case['body'], lang: 'id' | 'en') => {
          const first = await timed(client, spec, url, sent, lang);
          const { response } = first;
          let { ms } = first;
          // One slow answer on a shared machine is noise; the fastest of three is the cost.
          for (let retry = 0; retry < 2 && ms > budget; retry += 1) ms = Math.min(ms, (await timed(client, spec, url, sent, lang)).ms);
          const found = problems(spec, response, lang);
          if (ms > budget) found.push(`${ms.toFixed(0)} ms, over ${HOSTILE_SLOWDOWN}× the ${baseline.toFixed(0)} ms of a normal request`);
          if (found.length > 0) failures.push(abridge(`${label}: ${found.join('; ')}`));
        };

        const parts = [
          { where: 'body' as const, leaves: spec.bodyReader ? [] : stringLeavesOf(spec.body) },
          { where: 'query' as const, leaves: stringLeavesOf(spec.query) },
        ];
        let index = 0;
        for (const { where, leaves } of parts) {
          for (const leaf of leaves) {
            for (const { label, value } of hostileValuesFor(leaf, index, where)) {
              const lang = index % 2 === 0 ? 'en' : 'id';
              if (where === 'body')
                await check(`body.${leaf.path.join('.')} ${label}`, urlWith(query), { json: withValueAt(body, leaf.path, value) }, lang);
              else await check(`query.${leaf.path.join('.')} ${label}`, urlWith(withValueAt(query, leaf.path, value)), jsonOf(body), lang);
            }
            // A string inside an array: every item at once, as many as the array may hold.
            const arrayAt = leaf.path.lastIndexOf(0);
            if (where === 'body' && leaf.arrayMax !== undefined && leaf.max !== undefined && arrayAt >= 0) {
              const items = Array.from(
                { length: leaf.arrayMax },
                (_, i) => `x${' '.repeat(Math.max(0, leaf.max! - 2 - String(i).length))}x${i}`,
              );
              const filled = items.reduce<unknown>(
                (b, item, i) => withValueAt(b, [...leaf.path.slice(0, arrayAt), i, ...leaf.path.slice(arrayAt + 1)], item),
                body,
              );
              await check(
                `body.${leaf.path.join('.')} ${leaf.arrayMax} items of ${leaf.max} spaces`,
                urlWith(query),
                { json: filled },
                'en',
              );
            }
            index += 1;
          }
        }
        // A body over the JSON limit is refused by its declared length, before it is read.
        if (spec.body) {
          const first = stringLeavesOf(spec.body)[0];
          if (first)
            await check(
              `body.${first.path.join('.')} of 1 MB (over the limit)`,
              urlWith(query),
              { json: withValueAt(body, first.path, 'a'.repeat(1 << 20)) },
              'en',
            );
        }
        expect(failures).toEqual([]);
      },
      180_000,
    );

    it('POST /applications/import: hostile cells (long, spaces, NUL, control characters) and an oversized file', async () => {
      const spec = ROUTES.find((r) => routeName(r) === 'POST /applications/import')!;
      const client = await ownClient(spec);
      const header = 'name,kind,description,pic_name,pic_nip,pic_email,data_classification';
      const row = (cells: Partial<Record<'name' | 'description' | 'pic_name', string>>) =>
        [
          cells.name ?? 'Aplikasi Uji',
          'khusus',
          cells.description ?? 'Deskripsi',
          cells.pic_name ?? 'Budi',
          '198501012010011001',
          'budi@kalteng.go.id',
          'rendah',
        ]
          .map((c) => `"${c.replace(/"/g, '""')}"`)
          .join(',');
      const csv = (lines: string[]) => ({ raw: [header, ...lines].join('\n'), type: 'text/csv' });
      const url = '/api/v1/applications/import?dryRun=true';
      const limit = Number(/^(\d+)mb$/.exec(CSV_IMPORT_LIMIT)?.[1] ?? 1) * 1024 * 1024;
      const near = limit - 4096;
      // Baselines of the same size class: one ordinary row, and one ordinary row whose
      // description is ordinary prose as long as the hostile runs (CSV parsing is per character).
      const fastest = async (body: Case['body']) => {
        let best = Number.POSITIVE_INFINITY;
        for (let i = 0; i < 3; i += 1) best = Math.min(best, (await timed(client, spec, url, body, 'id')).ms);
        return best;
      };
      const small = await fastest(csv([row({})]));
      const large = await fastest(csv([row({ description: 'Layanan informasi publik. '.repeat(Math.ceil(near / 26)).slice(0, near) })]));
      const cases: [string, Case['body'], number][] = [
        ['a name one past 200', csv([row({ name: 'a'.repeat(201) })]), small],
        ['control characters', csv([row({ name: 'a\u0001\u007f\u0085b' }), row({ name: 'Dua', description: 'a\ud800b' })]), small],
        ['100,000 spaces', csv([row({ description: ' '.repeat(100_000) })]), large],
        ['a run of x near the file limit', csv([row({ description: 'x'.repeat(near) })]), large],
        ['a run of spaces near the file limit', csv([row({ description: ' '.repeat(near) })]), large],
        ['a run of quotes near the file limit', csv([row({ description: '"'.repeat(near / 2) })]), large],
        ['a NUL run', csv([row({ pic_name: '\u0000'.repeat(100_000) })]), large],
        ['a file over the limit', csv([row({ description: 'x'.repeat(limit + 1024) })]), large],
      ];
      const failures: string[] = [];
      for (const [label, body, baseline] of cases) {
        const budget = Math.max(baseline, 1) * HOSTILE_SLOWDOWN;
        const first = await timed(client, spec, url, body, 'en');
        const { response } = first;
        let { ms } = first;
        for (let retry = 0; retry < 2 && ms > budget; retry += 1) ms = Math.min(ms, (await timed(client, spec, url, body, 'en')).ms);
        const found = problems(spec, response, 'en');
        if (ms > budget) found.push(`${ms.toFixed(0)} ms, over ${HOSTILE_SLOWDOWN}× ${baseline.toFixed(0)} ms`);
        if (response.status === 200 && (response.body.errors as unknown[]).length === 0) found.push('accepted');
        if (found.length > 0) failures.push(`${label}: ${found.join('; ')}`);
      }
      expect(failures).toEqual([]);
    }, 120_000);
  });

  it('gets past validation often enough that handlers run (near-valid inputs are near enough)', () => {
    if (process.env.FUZZ_REPORT) for (const [name, statuses] of seen) console.log(name, Object.fromEntries(statuses));
    const withInput = ROUTES.filter((s) => s.body || s.query || pathParams(s).length > 0).filter((s) => !FIXED_CASES_ONLY[routeName(s)]);
    const reached = withInput.filter((s) => [...(seen.get(routeName(s))?.keys() ?? [])].some((status) => status !== 400));
    // Every case below is a handler answer (2xx, 404 of a real lookup, 409/422 of a rule), not a schema's 400.
    expect(reached.length).toBeGreaterThanOrEqual(Math.ceil(withInput.length * 0.7));
  });
});
