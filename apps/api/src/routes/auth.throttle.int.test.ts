import { Role } from '@betang/core';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import request from 'supertest';
import { emailThrottleHash } from '../security/login-throttle';
import { newTotpSecret, totpCode } from '../security/totp';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';

jest.setTimeout(60_000); // many argon2 checks on a busy 2-core machine

const WRONG = 'salah-sekali-123';

describe('sign-in delays per e-mail + address (no account lock, no enumeration) and the admin unlock', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ trustProxyHops: 1 });
  });
  afterAll(() => h.close());

  const login = (ip: string, email: string, password = WRONG, totp?: string) =>
    request(h.app)
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ email, password, ...(totp ? { totp } : {}) });

  /** The throttle row of an e-mail from one address (the address row, not the every-address one). */
  const addressRow = async (email: string) =>
    h.database.db
      .selectFrom('loginThrottle')
      .selectAll()
      .where('emailHash', '=', emailThrottleHash(email))
      .where('ipHash', '!=', '*')
      .executeTakeFirstOrThrow();

  /** Waits out the running delays of an e-mail (moves their end into the past), as if time had passed. */
  const endDelays = (email: string) =>
    h.database.db
      .updateTable('loginThrottle')
      .set({ blockedUntil: new Date(Date.now() - 1000) })
      .where('emailHash', '=', emailThrottleHash(email))
      .execute();

  it('should answer an unknown e-mail exactly like a known one over repeated failures: status, body, headers and timing class', async () => {
    const known = await makeUser(h.database.db, { roles: [Role.Operator] });
    const unknown = `tidak.ada.${Date.now()}@kalteng.go.id`;
    const answers: { known: request.Response; unknown: request.Response; knownMs: number; unknownMs: number }[] = [];
    for (let i = 0; i < 8; i += 1) {
      // Interleaved, so machine load affects both alike.
      let started = performance.now();
      const k = await login('203.0.113.10', known.email);
      const knownMs = performance.now() - started;
      started = performance.now();
      const u = await login('203.0.113.11', unknown);
      answers.push({ known: k, unknown: u, knownMs, unknownMs: performance.now() - started });
    }
    expect(answers.map((a) => a.known.status)).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect(answers.map((a) => a.unknown.status)).toEqual(answers.map((a) => a.known.status));
    const IGNORED = new Set(['date', 'x-request-id', 'etag', 'retry-after']);
    const comparable = (response: request.Response) => {
      const {
        requestId: _requestId,
        details,
        ...error
      } = response.body.error as { requestId: string; details?: { retryAfterSeconds: number } };
      const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !IGNORED.has(name)));
      return { error, hasDetails: details !== undefined, headers, retryAfter: response.headers['retry-after'] !== undefined };
    };
    for (const { known: k, unknown: u } of answers) {
      expect(comparable(u)).toEqual(comparable(k));
      if (k.status === 429) {
        // The wait is the same (to the second the two requests were apart).
        expect(Math.abs(Number(k.headers['retry-after']) - Number(u.headers['retry-after']))).toBeLessThanOrEqual(1);
        expect(k.body.error.message).toBe('Terlalu banyak percobaan masuk. Coba lagi dalam 1 menit.');
      }
    }
    // Timing class: both run one argon2 check per failure (a dummy one for the unknown e-mail).
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const failures = answers.slice(0, 5);
    const ratio = median(failures.map((a) => a.unknownMs)) / median(failures.map((a) => a.knownMs));
    expect(ratio).toBeGreaterThan(1 / 3);
    expect(ratio).toBeLessThan(3);
  });

  it('should let the real user sign in from another address while an attacker hammers from one, and slow only the attacker', async () => {
    const user = await makeUser(h.database.db, {
      roles: [Role.InstitutionStaff],
      institutionId: (await makeInstitution(h.database.db)).id,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await login('203.0.113.66', user.email)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    // From the attacker's address even the right password waits: that address is slowed, not the account.
    await login('203.0.113.66', user.email, TEST_PASSWORD).expect(429);
    const owner = await login('198.51.100.10', user.email, TEST_PASSWORD);
    expect(owner.status).toBe(200);
    // Refused attempts were not counted: the attacker's hammering did not lengthen anything.
    expect((await addressRow(user.email)).failures).toBeCloseTo(5, 1);
  });

  it('should grow the delay with each further failure, cap it, and let failures decay with time', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const ip = '203.0.113.70';
    for (let i = 0; i < 5; i += 1) await login(ip, user.email).expect(401);
    const waits: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      waits.push(Number((await login(ip, user.email)).headers['retry-after']));
      await endDelays(user.email);
      await login(ip, user.email).expect(401);
    }
    // 30 s after the 5th failure, then doubling per failure up to 15 minutes.
    const expected = [30, 60, 120, 240, 480, 900, 900];
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThan(expected[i]! - 5);
      expect(wait).toBeLessThanOrEqual(expected[i]!);
    });
    // Four hours later (four half-lives) the score of 12 failures is under one: attempts go through again.
    const fourHoursAgo = new Date(Date.now() - 4 * 3_600_000);
    await h.database.db
      .updateTable('loginThrottle')
      .set({ updatedAt: fourHoursAgo, blockedUntil: fourHoursAgo })
      .where('emailHash', '=', emailThrottleHash(user.email))
      .execute();
    await login(ip, user.email).expect(401);
    expect((await addressRow(user.email)).blockedUntil).toBeNull();
    await login(ip, user.email, TEST_PASSWORD).expect(200);
    expect(await addressRow(user.email)).toMatchObject({ failures: 0, blockedUntil: null });
  });

  it('should not let parallel guesses slip past the delay one of them sets', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const ip = '203.0.113.71';
    for (let i = 0; i < 4; i += 1) await login(ip, user.email).expect(401);
    const guesses = await Promise.all(Array.from({ length: 6 }, () => login(ip, user.email)));
    // The 5th failure starts the delay; every other guess sent at the same time meets it, none gets a password check.
    expect(guesses.map((g) => g.status).sort()).toEqual([401, 429, 429, 429, 429, 429]);
    expect((await addressRow(user.email)).failures).toBeCloseTo(5, 1);
  });

  it('should count wrong TOTP codes after the right password towards the delay', async () => {
    const secret = newTotpSecret();
    const user = await makeUser(h.database.db, { roles: [Role.DcHead], totpSecret: secret });
    const wrong = totpCode(secret) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) await login('203.0.113.72', user.email, TEST_PASSWORD, wrong).expect(401);
    await login('203.0.113.72', user.email, TEST_PASSWORD, totpCode(secret)).expect(429);
  });

  it("should delay addresses that never signed in to an e-mail guessed from many addresses, known or not, but not the owner's usual address", async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const unknown = `niemand.${Date.now()}@kalteng.go.id`;
    await login('198.51.100.50', user.email, TEST_PASSWORD).expect(200); // the owner's usual address
    for (let i = 0; i < 20; i += 1) {
      await login(`192.0.2.${i + 1}`, user.email).expect(401);
      await login(`192.0.2.${i + 1}`, unknown).expect(401);
    }
    const fresh = await login('192.0.2.250', user.email, TEST_PASSWORD);
    expect(fresh.status).toBe(429);
    const freshUnknown = await login('192.0.2.250', unknown, TEST_PASSWORD);
    expect(freshUnknown.status).toBe(429);
    expect(freshUnknown.body.error.message).toBe(fresh.body.error.message);
    await login('198.51.100.50', user.email, TEST_PASSWORD).expect(200);
  });

  it("should let an admin clear a user's delays (audited), and refuse everybody else with 403", async () => {
    const institution = await makeInstitution(h.database.db);
    const [user, admin, operator, head] = await Promise.all([
      makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: institution.id }),
      makeUser(h.database.db, { roles: [Role.Admin] }),
      makeUser(h.database.db, { roles: [Role.Operator] }),
      makeUser(h.database.db, { roles: [Role.InstitutionHead], institutionId: institution.id }),
    ]);
    const ip = '203.0.113.80';
    for (let i = 0; i < 5; i += 1) await login(ip, user.email).expect(401);
    await login(ip, user.email, TEST_PASSWORD).expect(429);

    for (const other of [operator, head, user]) {
      const { agent, csrfToken } = await signInAs(h.app, other.email);
      const refused = await agent.post(`/api/v1/users/${user.id}/unlock`).set('X-CSRF-Token', csrfToken);
      expect(refused.status).toBe(403);
    }
    const { agent, csrfToken } = await signInAs(h.app, admin.email);
    await agent.post(`/api/v1/users/00000000-0000-4000-8000-000000000000/unlock`).set('X-CSRF-Token', csrfToken).expect(404);
    const unlocked = await agent.post(`/api/v1/users/${user.id}/unlock`).set('X-CSRF-Token', csrfToken);
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.cleared).toBeGreaterThanOrEqual(1);
    await login(ip, user.email, TEST_PASSWORD).expect(200);
    const audit = await h.database.db
      .selectFrom('auditLog')
      .select(['action', 'actorUserId', 'after'])
      .where('targetId', '=', user.id)
      .where('action', '=', 'user.unlocked')
      .execute();
    expect(audit).toEqual([{ action: 'user.unlocked', actorUserId: admin.id, after: { cleared: unlocked.body.cleared } }]);
  });
});
