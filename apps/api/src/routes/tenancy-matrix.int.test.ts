import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { routeRegistryOf } from '../app';
import type { ApiHarness, SignedIn } from '../testing/api-harness';
import { startApiHarness } from '../testing/api-harness';
import { defaultHints, fieldsOf, pathParams, routeName, send, urlOf, validExample, type RouteEntry } from '../testing/route-walk';
import { bodyText, fillPath, leakedSecrets, seedTenant, seedWorld, type Tenant, type TenantIds } from '../testing/tenant-fixture';

/**
 * Tenancy matrix: every route of the registry that names a resource (a path id, or an
 * institution/application id in its query or body) is called by institution A's head and staff
 * with institution B's ids. The answer must be 403 or 404, exactly what a missing id gets (so
 * ids cannot be probed), and its body must contain none of B's ids, names, e-mails, hostnames,
 * addresses. A's own ids must work for GETs (so the 404 comes from tenancy, not from a bad id).
 * A route whose id the matrix cannot fill fails the test: add its fixture to tenant-fixture.ts.
 */

/** Query/body fields that name another tenant's resource. */
const FIELD_KINDS: Record<string, keyof TenantIds> = {
  institutionId: 'institution',
  applicationId: 'application',
  vmIds: 'vm',
  picUserId: 'staff',
};

/** Public routes: answer anyone by design (a verification code is printed on the agreement itself). */
const PUBLIC_EXEMPT: Record<string, string> = {
  'GET /verify/{code}': 'public by design: anyone holding the printed code may check the agreement (names and roles only)',
  'POST /verify': 'public by design: checks an uploaded PDF, names no stored id',
  'POST /auth/login': 'public: signs in, names no resource',
  'POST /auth/password/forgot': 'public: e-mails a reset link, names no resource and answers alike for any e-mail',
  'POST /auth/password/reset': 'public: uses an e-mailed secret link, names no resource',
  'GET /auth/oidc': 'public: says whether single sign-on is on, names no resource',
  'GET /auth/oidc/start': 'public: redirects to the identity provider, names no resource',
  'GET /auth/oidc/callback': "public: the provider's answer, checked against this browser's single-use state; names no resource",
  'POST /auth/oidc/totp': "public: Betang's TOTP code after single sign-on, for the sign-on this browser's cookie names; names no resource",
};

function refersToTenant(spec: RouteEntry): boolean {
  return pathParams(spec).length > 0 || [...fieldsOf(spec.query), ...fieldsOf(spec.body)].some((f) => f in FIELD_KINDS);
}

describe('tenancy matrix: every route, as another institution', () => {
  let h: ApiHarness;
  let a: Tenant;
  let b: Tenant;
  let routes: RouteEntry[];

  beforeAll(async () => {
    h = await startApiHarness();
    const world = await seedWorld(h);
    a = await seedTenant(h, world, 'A');
    b = await seedTenant(h, world, 'B');
    routes = routeRegistryOf(h.app);
  }, 60_000);
  afterAll(() => h.close());

  /** The query and body of a call naming `ids`' resources; fields that name tenants get `ids`' values. */
  const hintsOf = new Map<string, ReturnType<typeof defaultHints>>();
  function inputs(spec: RouteEntry, ids: TenantIds) {
    const hints = hintsOf.get(ids.application) ?? defaultHints([ids.application]);
    hintsOf.set(ids.application, hints);
    // Fields that name a tenant's resource get `ids`' values, in the schema that declares them.
    const withIds = (value: unknown, fields: string[]) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? {
            ...value,
            ...Object.fromEntries(
              Object.entries(FIELD_KINDS)
                .filter(([f]) => fields.includes(f))
                // A list of ids (e.g. the VMs of a bulk assignment) names the tenant's one resource.
                .map(([f, k]) => [f, Array.isArray((value as Record<string, unknown>)[f]) ? [ids[k]] : ids[k]]),
            ),
          }
        : value;
    const query = spec.query
      ? (withIds(validExample(spec.query, hints, `${routeName(spec)} query`), fieldsOf(spec.query)) as Record<string, unknown>)
      : undefined;
    const queryFields = fieldsOf(spec.query);
    const cleanQuery = query
      ? Object.fromEntries(
          Object.entries(query).filter(([k, v]) => queryFields.includes(k) && v !== undefined && (k in FIELD_KINDS || k !== 'cursor')),
        )
      : undefined;
    const body = spec.body
      ? withIds(validExample(spec.body, hints, `${routeName(spec)} body`), fieldsOf(spec.body))
      : spec.method === 'get'
        ? undefined
        : {};
    return { query: cleanQuery, body };
  }

  async function call(who: SignedIn, spec: RouteEntry, path: Record<string, string>, ids: TenantIds) {
    const { query, body } = inputs(spec, ids);
    const qs =
      query && Object.keys(query).length > 0
        ? `?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`
        : '';
    return send(who, spec, urlOf(spec, path) + qs, body === undefined ? undefined : { json: body });
  }

  it('walks every route of the registry, as many as the OpenAPI document lists', async () => {
    const doc = await request(h.app).get('/api/v1/openapi.json');
    const operations = Object.values(doc.body.paths as Record<string, object>).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(routes.length).toBe(operations);
    const unfilled = routes
      .filter((s) => s.access !== 'public')
      .map((s) => [routeName(s), fillPath(s, b.ids)] as const)
      .filter(([, r]) => typeof r === 'string');
    expect(unfilled).toEqual([]);
    const publicRoutes = routes.filter((s) => s.access === 'public').map(routeName);
    expect(publicRoutes.filter((n) => !PUBLIC_EXEMPT[n])).toEqual([]);
  });

  it("answers 403/404 exactly like a missing id, with none of B's data, to A's head and staff", async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const spec of routes.filter((s) => s.access !== 'public' && refersToTenant(s))) {
      const path = fillPath(spec, b.ids);
      if (typeof path === 'string') continue; // reported by the walk test
      for (const [who, client] of [
        ['head', a.head],
        ['staff', a.staff],
      ] as const) {
        const label = `${routeName(spec)} as A's ${who}`;
        const foreign = await call(client, spec, path, b.ids);
        checked++;
        const leaks = leakedSecrets(b, foreign);
        if (leaks.length > 0) failures.push(`${label}: body names B's ${leaks.join(', ')}`);
        const onlyBodyRefers = pathParams(spec).length === 0;
        if (onlyBodyRefers ? foreign.status < 400 || foreign.status >= 500 : ![403, 404].includes(foreign.status)) {
          failures.push(`${label}: ${foreign.status} ${bodyText(foreign).slice(0, 200)}`);
          continue;
        }
        if (onlyBodyRefers) continue;
        // A missing id of the same kind must be indistinguishable from B's.
        const missing = Object.fromEntries(Object.entries(path).map(([k, v]) => [k, /^[0-9a-f-]{36}$/.test(v) ? randomUUID() : v]));
        const absent = await call(client, spec, missing, b.ids);
        if (absent.status !== foreign.status)
          failures.push(`${label}: B's id ${foreign.status}, a missing id ${absent.status} (probeable)`);
        if (spec.method === 'get' && foreign.status === 404) {
          const own = fillPath(spec, a.ids) as Record<string, string>;
          const mine = await call(client, spec, own, a.ids);
          // 403 is the role gate of a route the caller may not use at all (e.g. staff and the user list): still a
          // different answer from B's 404, so the id was understood and tenancy answered.
          if ((mine.status < 200 || mine.status >= 300) && mine.status !== 403)
            failures.push(`${label}: A's own id ${mine.status} ${bodyText(mine).slice(0, 200)} (the 404 above proves nothing)`);
          const leaked = leakedSecrets(b, mine);
          if (leaked.length > 0) failures.push(`${label} (own id): body names B's ${leaked.join(', ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  }, 120_000);

  it("lists and reads without any of B's data for A's head and staff", async () => {
    const failures: string[] = [];
    for (const spec of routes.filter((s) => s.method === 'get' && pathParams(s).length === 0 && s.access !== 'public')) {
      for (const [who, client] of [
        ['head', a.head],
        ['staff', a.staff],
      ] as const) {
        const response = await send(client, spec, urlOf(spec, {}));
        if (response.status >= 500) failures.push(`${routeName(spec)} as A's ${who}: ${response.status}`);
        const leaks = leakedSecrets(b, response);
        if (leaks.length > 0) failures.push(`${routeName(spec)} as A's ${who}: body names B's ${leaks.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it("still shows B's data to B (the secrets the matrix scans for are real)", async () => {
    const own = await b.staff.agent.get(`/api/v1/vps-requests/${b.ids.request}`);
    expect(own.status).toBe(200);
    expect(leakedSecrets(b, own).length).toBeGreaterThan(3);
  });
});
