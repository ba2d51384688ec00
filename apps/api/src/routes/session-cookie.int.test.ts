import { Role } from '@betang/core';
import { makeUser, TEST_PASSWORD } from '@betang/testkit';
import request from 'supertest';
import { createApp, routeRegistryOf } from '../app';
import { writesOwnBody } from '../http/route';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';
import { routeName, urlOf } from '../testing/route-walk';
import { fillPath, seedTenant, seedWorld, type Tenant } from '../testing/tenant-fixture';

/**
 * The session cookie is read defensively (a cookie Betang never set — malformed, planted by a
 * sibling subdomain — is as if absent) and, behind HTTPS, carries the `__Host-` prefix so no
 * other host can plant or overwrite it.
 */

const MALFORMED = ['%', '%E0%A4%A', '%zz', 'abc%', '%ED%A0%80%'];

function sessionSecretOf(setCookie: string[] | string | undefined, name: string): string {
  const line = ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie in ${JSON.stringify(setCookie)}`);
  return decodeURIComponent(line.slice(name.length + 1).split(';')[0]!);
}

describe('session cookie: malformed and planted cookies, the __Host- prefix', () => {
  let h: ApiHarness;
  let tenant: Tenant;
  let email: string;

  beforeAll(async () => {
    h = await startApiHarness();
    const world = await seedWorld(h);
    tenant = await seedTenant(h, world, 'C');
    email = (await makeUser(h.database.db, { roles: [Role.Operator] })).email;
  }, 90_000);
  afterAll(() => h.close());

  it('answers every /api/v1 route the same with a malformed session cookie as without one, never 500', async () => {
    const failures: string[] = [];
    for (const spec of routeRegistryOf(h.app)) {
      const filled = fillPath(spec, tenant.ids);
      const path = typeof filled === 'string' ? { code: 'ABCDEFGHJKLMNPQR' } : filled;
      const url = urlOf(spec, path);
      const call = (cookie?: string) => {
        let test = request(h.app)[spec.method](url).timeout({ response: 5_000, deadline: 10_000 });
        if (cookie) test = test.set('Cookie', cookie);
        if (writesOwnBody(spec) && spec.method === 'get') test = test.buffer(false);
        return spec.method === 'get' ? test : test.send({});
      };
      const plain = await call().catch((error: { status?: number }) => ({ status: error.status ?? -1 }));
      for (const value of MALFORMED) {
        const response = await call(`betang_session=${value}`).catch((error: { status?: number }) => ({ status: error.status ?? -1 }));
        if (response.status >= 500 || response.status !== plain.status)
          failures.push(`${routeName(spec)} ${value}: ${response.status} (without: ${plain.status})`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('keeps a signed-in user signed in when a malformed or unknown cookie of the same name is planted before the real one', async () => {
    const login = await request(h.app).post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD });
    expect(login.status).toBe(200);
    const secret = sessionSecretOf(login.headers['set-cookie'], 'betang_session');
    for (const planted of [...MALFORMED, 'dipasang-oleh-subdomain-lain-0123456789']) {
      for (const cookie of [
        `betang_session=${planted}; betang_session=${secret}`,
        `betang_session=${secret}; betang_session=${planted}`,
        `lain=${planted}; betang_session=${secret}`,
      ]) {
        const me = await request(h.app).get('/api/v1/me').set('Cookie', cookie);
        expect({ cookie, status: me.status }).toEqual({ cookie, status: 200 });
      }
    }
  });

  describe('behind HTTPS (COOKIE_SECURE=true)', () => {
    const secureApp = () =>
      createApp({ ...h.deps, config: { ...h.deps.config, PUBLIC_URL: 'https://betang.kalteng.go.id', COOKIE_SECURE: true } });

    it('sets __Host-betang_session with Secure, Path=/, HttpOnly, SameSite=Lax and no Domain, and reads only that name', async () => {
      const app = secureApp();
      const login = await request(app).post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD });
      expect(login.status).toBe(200);
      const line = ([] as string[]).concat(login.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-betang_session='))!;
      expect(line).toBeDefined();
      const attributes = line
        .split(';')
        .slice(1)
        .map((a) => a.trim().toLowerCase());
      expect(attributes).toEqual(expect.arrayContaining(['path=/', 'httponly', 'secure', 'samesite=lax']));
      expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
      const secret = sessionSecretOf(login.headers['set-cookie'], '__Host-betang_session');

      expect((await request(app).get('/api/v1/me').set('Cookie', `__Host-betang_session=${secret}`)).status).toBe(200);
      // The unprefixed name is what another subdomain could plant: behind HTTPS it is not read.
      expect((await request(app).get('/api/v1/me').set('Cookie', `betang_session=${secret}`)).status).toBe(401);
      expect(
        (await request(app).get('/api/v1/me').set('Cookie', `__Host-betang_session=%E0%A4%A; __Host-betang_session=${secret}`)).status,
      ).toBe(200);

      const logout = await request(app)
        .post('/api/v1/auth/logout')
        .set('Cookie', `__Host-betang_session=${secret}`)
        .set('X-CSRF-Token', login.body.csrfToken as string);
      expect(logout.status).toBe(204);
      const cleared = ([] as string[]).concat(logout.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-betang_session='));
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
      expect(cleared).toMatch(/Secure/);
    });

    it('the plain-HTTP harness keeps the unprefixed name (the embedded demo on http://127.0.0.1)', async () => {
      const signed = await signInAs(h.app, email);
      expect((await signed.agent.get('/api/v1/me')).status).toBe(200);
    });
  });
});
