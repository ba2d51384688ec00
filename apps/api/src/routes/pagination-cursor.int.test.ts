import { routeRegistryOf } from '../app';
import { startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { fieldsOf, routeName, send, urlOf } from '../testing/route-walk';
import { fillPath, seedTenant, seedWorld, type Tenant } from '../testing/tenant-fixture';

/**
 * Paging cursors are opaque to clients but come back as client input: every paginated list
 * (found in the route registry: a query with `cursor`) must answer a forged cursor with 400 on
 * `query.cursor`, and still follow the cursors it hands out.
 */

const ID = '3f2b8c4e-9d1a-4f6b-8e2c-1a2b3c4d5e6f';
const base64url = (text: string) => Buffer.from(text).toString('base64url');
const cursorOf = (value: unknown) => base64url(JSON.stringify(value));

const IMPOSSIBLE_DATES = [
  '2026-02-30T00:00:00.000Z',
  '2025-02-29T00:00:00.000Z',
  '2026-04-31T10:00:00.000Z',
  '2026-13-01T00:00:00.000Z',
  '2026-00-10T00:00:00.000Z',
  '2026-01-01T24:00:00.000Z',
  '2026-01-01T23:60:00.000Z',
  '2026-01-01T23:59:60.000Z',
  '0000-01-01T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z',
  '-000001-01-01T00:00:00.000Z',
  '10000-01-01T00:00:00.000Z',
  '2026-01-01',
  '2026-01-01T00:00:00+25:00',
  'yesterday',
  '',
  '1e309',
];

const GARBAGE: string[] = [
  '!!!',
  '%00',
  base64url('not json'),
  base64url('{"createdAt":'),
  cursorOf(null),
  cursorOf({}),
  cursorOf([]),
  cursorOf(true),
  cursorOf(-1),
  cursorOf(0),
  cursorOf(1.5),
  cursorOf(1e300),
  cursorOf(Number.MAX_SAFE_INTEGER + 2),
  cursorOf('not-a-uuid'),
  cursorOf(`${ID}\u0000`),
  cursorOf({ name: 'Dinas\u0000Uji', id: ID }),
  cursorOf({ name: '\ud800', id: ID }),
  cursorOf({ name: 'x'.repeat(5000), id: ID }).slice(0, 190),
  cursorOf({ name: 42, id: ID }),
  cursorOf({ createdAt: '2026-01-01T00:00:00.000Z', id: 'x' }),
  cursorOf({ createdAt: { $gt: '' }, id: ID }),
  cursorOf({ createdAt: ['2026-01-01T00:00:00.000Z'], id: ID }),
  cursorOf({ __proto__: { id: ID }, createdAt: '2026-01-01T00:00:00.000Z' }),
];

const FORGED = [...IMPOSSIBLE_DATES.map((createdAt) => cursorOf({ createdAt, id: ID })), ...GARBAGE];

describe('paging cursors: forged ones answer 400 on query.cursor on every paginated list', () => {
  let h: ApiHarness;
  let tenant: Tenant;
  let admin: SignedIn;

  beforeAll(async () => {
    h = await startApiHarness();
    const world = await seedWorld(h);
    tenant = await seedTenant(h, world, 'K');
    await seedTenant(h, world, 'L');
    admin = world.admin;
  }, 90_000);
  afterAll(() => h.close());

  const paginated = () => routeRegistryOf(h.app).filter((spec) => spec.method === 'get' && fieldsOf(spec.query).includes('cursor'));

  it('finds the twelve paginated lists', () => {
    expect(paginated().map(routeName).sort()).toEqual(
      [
        'GET /agreements',
        'GET /applications',
        'GET /audit-log',
        'GET /institutions',
        'GET /institutions/{id}/users',
        'GET /ip-pools/{id}/addresses',
        'GET /me/notifications',
        'GET /sso/identities',
        'GET /users',
        'GET /vms',
        'GET /vps-requests',
        'GET /webhooks/{id}/deliveries',
      ].sort(),
    );
  });

  it('answers every impossible date and garbage cursor with 400 on query.cursor, never 500', async () => {
    const failures: string[] = [];
    for (const spec of paginated()) {
      const path = fillPath(spec, tenant.ids);
      if (typeof path === 'string') throw new Error(path);
      for (const cursor of FORGED) {
        const response = await send(admin, spec, `${urlOf(spec, path)}?cursor=${encodeURIComponent(cursor)}`, undefined, {
          'Accept-Language': 'en',
        });
        const details = (response.body?.error?.details ?? []) as { path: string }[];
        if (response.status !== 400 || !details.some((d) => d.path === 'query.cursor')) {
          failures.push(
            `${routeName(spec)} ${Buffer.from(cursor, 'base64url').toString('utf8').slice(0, 80)}: ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('still follows the cursors the lists hand out', async () => {
    const followed: string[] = [];
    for (const spec of paginated()) {
      const path = fillPath(spec, tenant.ids);
      if (typeof path === 'string') throw new Error(path);
      const first = await send(admin, spec, `${urlOf(spec, path)}?limit=1`);
      expect({ route: routeName(spec), status: first.status }).toEqual({ route: routeName(spec), status: 200 });
      if (!first.body.nextCursor) continue;
      const second = await send(admin, spec, `${urlOf(spec, path)}?limit=1&cursor=${encodeURIComponent(first.body.nextCursor as string)}`);
      expect({ route: routeName(spec), status: second.status }).toEqual({ route: routeName(spec), status: 200 });
      // A pool's addresses have no id: the whole first item differs.
      expect(JSON.stringify(second.body.items[0])).not.toBe(JSON.stringify(first.body.items[0]));
      followed.push(routeName(spec));
    }
    // Two tenants are seeded, so the lists with a date key hand out a second page.
    expect(followed).toEqual(expect.arrayContaining(['GET /agreements', 'GET /vps-requests', 'GET /institutions', 'GET /applications']));
  });
});
