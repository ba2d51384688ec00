import { Role } from '@betang/core';
import { hitRateLimitBucket, pruneRateLimitBuckets } from '@betang/db';
import { makeUser, TEST_PASSWORD } from '@betang/testkit';
import request from 'supertest';
import { createApp } from '../app';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';

// Small limits so the test stays fast; the real ones are in DEFAULT_RATE_LIMITS (docs/security.md).
const rateLimits = {
  loginPerIp: { name: 'login-ip', limit: 4, windowSeconds: 900 },
  verifyPerIp: { name: 'verify-ip', limit: 3, windowSeconds: 60 },
};

jest.setTimeout(30_000); // many argon2 checks on a busy 2-core machine

describe('rate limits shared through PostgreSQL (sign-in and public verification per IP)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ trustProxyHops: 1, rateLimits });
  });
  afterAll(() => h.close());

  /** A second API instance over the same database, as behind a load balancer. */
  const secondInstance = () => createApp({ ...h.deps, requestEvents: undefined });
  const login = (app = h.app, ip: string, email: string, password = 'salah-sekali-123', lang = 'id') =>
    request(app).post('/api/v1/auth/login').set('X-Forwarded-For', ip).set('Accept-Language', lang).send({ email, password });

  it('should limit failed sign-ins per client IP from X-Forwarded-For, across two app instances, with Retry-After and a bilingual message', async () => {
    const other = secondInstance();
    // Different e-mails each time, so only the per-IP bucket fills.
    for (let i = 0; i < 4; i += 1) await login(i % 2 === 0 ? h.app : other, '203.0.113.7', `tamu${i}@contoh.go.id`).expect(401);
    const refusedId = await login(other, '203.0.113.7', 'tamu9@contoh.go.id');
    expect(refusedId.status).toBe(429);
    expect(refusedId.body.error.code).toBe('RATE_LIMITED');
    expect(refusedId.body.error.message).toMatch(/^Terlalu banyak percobaan masuk\. Coba lagi dalam 15 menit\.$/);
    const retryAfter = Number(refusedId.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(890);
    expect(retryAfter).toBeLessThanOrEqual(900);
    const refusedEn = await login(h.app, '203.0.113.7', 'tamu10@contoh.go.id', TEST_PASSWORD, 'en');
    expect(refusedEn.status).toBe(429);
    expect(refusedEn.body.error.message).toBe('Too many sign-in attempts. Try again in 15 minutes.');
    // Another client IP is not affected; nor is the proxy's own address (trust proxy takes the client's).
    await login(h.app, '198.51.100.23', 'tamu11@contoh.go.id').expect(401);
    // Nothing personal stored in clear.
    const keys = (await h.database.db.selectFrom('rateLimitBuckets').select('key').execute()).map((r) => r.key);
    expect(keys.join(' ')).not.toMatch(/203\.0\.113|tamu|contoh/);
  });

  it('should not let a spoofed X-Forwarded-For chain escape: only the hop nearest the trusted proxy counts', async () => {
    for (let i = 0; i < 4; i += 1) await login(h.app, `10.9.9.${i}, 192.0.2.50`, `palsu${i}@contoh.go.id`).expect(401);
    await login(h.app, '10.9.9.99, 192.0.2.50', 'palsu9@contoh.go.id').expect(429);
  });

  it('should count successful sign-ins against the IP (no laundering guesses with an own account)', async () => {
    const [own, victim] = await Promise.all([
      makeUser(h.database.db, { roles: [Role.Auditor] }),
      makeUser(h.database.db, { roles: [Role.Auditor] }),
    ]);
    // An attacker alternates guesses at the victim with sign-ins to their own account from one address.
    await login(h.app, '192.0.2.77', victim.email).expect(401);
    await login(h.app, '192.0.2.77', own.email, TEST_PASSWORD).expect(200);
    await login(h.app, '192.0.2.77', victim.email).expect(401);
    await login(h.app, '192.0.2.77', own.email, TEST_PASSWORD).expect(200);
    expect((await login(h.app, '192.0.2.77', victim.email)).status).toBe(429);
    // The victim signs in from elsewhere: the address limit is the attacker's alone.
    await login(h.app, '198.51.100.77', victim.email, TEST_PASSWORD).expect(200);
  });

  it('should limit public verification per client IP across instances, before reading the body', async () => {
    const other = secondInstance();
    const get = (app: typeof h.app, ip: string) => request(app).get('/api/v1/verify/AAAAAAAAAAAAAAAA').set('X-Forwarded-For', ip);
    for (let i = 0; i < 3; i += 1) await get(i === 1 ? other : h.app, '203.0.113.90').expect(404);
    const refused = await get(other, '203.0.113.90');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.body.error.message).toMatch(/^Terlalu banyak permintaan dari alamat Anda/);
    const upload = await request(other)
      .post('/api/v1/verify')
      .set('X-Forwarded-For', '203.0.113.90')
      .set('Content-Type', 'application/pdf')
      .send(Buffer.alloc(1024, 1));
    expect(upload.status).toBe(429);
    await get(h.app, '203.0.113.91').expect(404);
  });

  it('should count atomically under concurrency and start a new window when the old one ended; pruning deletes ended windows only', async () => {
    const hits = await Promise.all(Array.from({ length: 20 }, () => hitRateLimitBucket(h.database.db, 'uji:serentak', 60)));
    expect(hits.map((x) => x.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await h.database.db
      .updateTable('rateLimitBuckets')
      .set({ resetAt: new Date(Date.now() - 1000) })
      .where('key', '=', 'uji:serentak')
      .execute();
    expect((await hitRateLimitBucket(h.database.db, 'uji:serentak', 60)).hits).toBe(1);
    await hitRateLimitBucket(h.database.db, 'uji:lama', 60);
    await h.database.db
      .updateTable('rateLimitBuckets')
      .set({ resetAt: new Date(Date.now() - 1000) })
      .where('key', '=', 'uji:lama')
      .execute();
    expect(await pruneRateLimitBuckets(h.database.db)).toBeGreaterThanOrEqual(1);
    const left = (await h.database.db.selectFrom('rateLimitBuckets').select('key').execute()).map((r) => r.key);
    expect(left).toContain('uji:serentak');
    expect(left).not.toContain('uji:lama');
  });
});
