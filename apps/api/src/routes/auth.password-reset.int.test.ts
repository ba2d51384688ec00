import { createHash } from 'node:crypto';
import { Role } from '@betang/core';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import request from 'supertest';
import { emailThrottleHash } from '../security/login-throttle';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';
import { FORGOT_PASSWORD_MIN_MS } from '../use-cases/password-reset';

jest.setTimeout(90_000); // argon2 hashing and checks on a busy 2-core machine

const NEW_PASSWORD = 'Sungai-Kahayan-Biru-7391';

type Mail = { to: string[]; locale: string; subject: { id: string; en: string }; text: { id: string; en: string }; reason: string };

describe('forgotten password: a single-use link by e-mail, no enumeration, every session ended', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ trustProxyHops: 1 });
  });
  afterAll(() => h.close());

  let nextIp = 10;
  /** A fresh client address per call site, so the per-address limits of one test do not reach the next. */
  const freshIp = () => `198.51.100.${(nextIp += 1)}`;

  const forgot = (email: string, ip = freshIp()) =>
    request(h.app).post('/api/v1/auth/password/forgot').set('X-Forwarded-For', ip).send({ email });
  const reset = (token: string, password = NEW_PASSWORD, ip = freshIp()) =>
    request(h.app).post('/api/v1/auth/password/reset').set('X-Forwarded-For', ip).send({ token, password });

  /** The reset e-mails queued for an address, oldest first. */
  async function mailsTo(email: string): Promise<Mail[]> {
    const rows = await h.database.db.selectFrom('outbox').select('payload').where('topic', '=', 'email').orderBy('id').execute();
    return rows.map((row) => row.payload as Mail).filter((mail) => mail.to.includes(email) && mail.reason.startsWith('password_reset:'));
  }

  /** The secret of the link in the last reset e-mail to `email`, read from the Indonesian and English texts alike. */
  async function linkSecret(email: string): Promise<string> {
    const mails = await mailsTo(email);
    const last = mails[mails.length - 1]!;
    const pattern = /http:\/\/127\.0\.0\.1:3000\/reset-password#token=([A-Za-z0-9_-]{43})/;
    const id = pattern.exec(last.text.id)?.[1];
    expect(id).toBeDefined();
    expect(pattern.exec(last.text.en)?.[1]).toBe(id);
    return id!;
  }

  async function auditOf(userId: string, action: string) {
    return h.database.db
      .selectFrom('auditLog')
      .select(['after', 'actorUserId', 'ip'])
      .where('targetId', '=', userId)
      .where('action', '=', action)
      .orderBy('id')
      .execute();
  }

  it('should e-mail a link in both languages to the web reset page, keep only its hash, and audit the request', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Operator] });
    await h.database.db.updateTable('users').set({ locale: 'en' }).where('id', '=', user.id).execute();
    const answer = await forgot(user.email.toUpperCase()).expect(202);
    expect(answer.body.message.id).toMatch(/Jika e-mail ini terdaftar/);

    const [mail] = await mailsTo(user.email);
    expect(mail).toMatchObject({
      to: [user.email],
      locale: 'en',
      subject: { id: 'Atur ulang kata sandi Betang', en: 'Reset your Betang password' },
    });
    expect(mail!.text.id).toMatch(/30 menit/);
    expect(mail!.text.en).toMatch(/30 minutes/);
    const secret = await linkSecret(user.email);

    const stored = await h.database.db
      .selectFrom('passwordResetTokens')
      .selectAll()
      .where('userId', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(stored.tokenHash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(secret);
    const minutes = (stored.expiresAt.getTime() - stored.createdAt.getTime()) / 60_000;
    expect(minutes).toBeCloseTo(30, 0);
    expect((await auditOf(user.id, 'auth.password_reset_requested')).map((row) => row.after)).toEqual([
      { email: user.email, outcome: 'sent', validMinutes: 30 },
    ]);
  });

  it('should answer an unknown, an inactive and a known e-mail alike (status, body, length), none faster than the floor, and e-mail only the known one', async () => {
    const known = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const inactive = await makeUser(h.database.db, { roles: [Role.Auditor] });
    await h.database.db.updateTable('users').set({ isActive: false }).where('id', '=', inactive.id).execute();
    const unknown = `tidak.ada.${Date.now()}@kalteng.go.id`;

    const answers: { status: number; body: unknown; length: string | undefined; ms: number }[] = [];
    // Interleaved, so machine load affects each alike.
    for (let round = 0; round < 2; round += 1) {
      for (const email of [known.email, unknown, inactive.email]) {
        const started = performance.now();
        const response = await forgot(email);
        answers.push({
          status: response.status,
          body: response.body,
          length: response.headers['content-length'],
          ms: performance.now() - started,
        });
      }
    }
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual(answers[0]!.body);
      expect(answer.length).toBe(answers[0]!.length);
      expect(answer.ms).toBeGreaterThanOrEqual(FORGOT_PASSWORD_MIN_MS - 5);
    }
    expect(await mailsTo(known.email)).toHaveLength(2);
    expect(await mailsTo(inactive.email)).toHaveLength(0);
    expect(await mailsTo(unknown)).toHaveLength(0);
    expect((await auditOf(inactive.id, 'auth.password_reset_requested')).map((row) => (row.after as { outcome: string }).outcome)).toEqual([
      'inactive',
      'inactive',
    ]);
    const unknownAudit = await h.database.db
      .selectFrom('auditLog')
      .select('after')
      .where('action', '=', 'auth.password_reset_requested')
      .where('targetId', 'is', null)
      .execute();
    expect(unknownAudit.map((row) => row.after)).toContainEqual({ email: unknown, outcome: 'unknown_email' });
  });

  it('should set the new password from the link, end every session, revoke every API token, and let the user sign in with it only', async () => {
    const institution = await makeInstitution(h.database.db);
    const user = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const laptop = await signInAs(h.app, user.email);
    const phone = await signInAs(h.app, user.email);
    const token = (
      await laptop.agent
        .post('/api/v1/me/tokens')
        .set('X-CSRF-Token', laptop.csrfToken)
        .send({ name: 'skrip', scopes: ['read'] })
        .expect(201)
    ).body.secret as string;

    await forgot(user.email).expect(202);
    await reset(await linkSecret(user.email)).expect(204);

    await laptop.agent.get('/api/v1/me').expect(401);
    await phone.agent.get('/api/v1/me').expect(401);
    await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
    await request(h.app)
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', freshIp())
      .send({ email: user.email, password: TEST_PASSWORD })
      .expect(401);
    await signInAs(h.app, user.email, NEW_PASSWORD);

    const [audit] = await auditOf(user.id, 'user.password_reset');
    expect(audit).toMatchObject({ actorUserId: user.id, after: { sessionsEnded: 2, tokensRevoked: 1, otherLinksSpent: 0 } });
  });

  it('should refuse a used link, and an older link once a newer one was used, with one bilingual 409 that says nothing more', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    await forgot(user.email).expect(202);
    const older = await linkSecret(user.email);
    await forgot(user.email).expect(202);
    const newer = await linkSecret(user.email);
    expect(newer).not.toBe(older);

    await reset(newer).expect(204);
    const reused = await reset(newer, 'Pohon-Ulin-Tua-Sekali-42');
    const stale = await reset(older, 'Pohon-Ulin-Tua-Sekali-42');
    const unknown = await reset('A'.repeat(43), 'Pohon-Ulin-Tua-Sekali-42');
    for (const refused of [reused, stale, unknown]) {
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toBe(unknown.body.error.message);
    }
    expect(reused.body.error.message).toMatch(/sudah dipakai, kedaluwarsa, atau tidak dikenal/);
    const en = await request(h.app)
      .post('/api/v1/auth/password/reset')
      .set('Accept-Language', 'en')
      .send({ token: newer, password: 'Pohon-Ulin-Tua-Sekali-42' });
    expect(en.body.error.message).toMatch(/already used, expired or unknown/);

    await signInAs(h.app, user.email, NEW_PASSWORD);
    // A refused link names no user: the audit entry has the reason and the address only.
    const failures = await h.database.db
      .selectFrom('auditLog')
      .select(['after', 'targetId'])
      .where('action', '=', 'auth.password_reset_failed')
      .execute();
    expect(
      failures.filter((row) => row.targetId === null && (row.after as { reason: string }).reason === 'link_invalid').length,
    ).toBeGreaterThanOrEqual(4);
  });

  it('should refuse an expired link', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    await forgot(user.email).expect(202);
    const secret = await linkSecret(user.email);
    // 31 minutes have passed.
    const issued = new Date(Date.now() - 31 * 60_000);
    await h.database.db
      .updateTable('passwordResetTokens')
      .set({ createdAt: issued, expiresAt: new Date(issued.getTime() + 30 * 60_000) })
      .where('userId', '=', user.id)
      .execute();
    await reset(secret).expect(409);
    await signInAs(h.app, user.email);
  });

  it('should refuse a weak password without spending the link, and refuse the link of an account deactivated since', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor], name: 'Rahmat Hidayat' });
    await forgot(user.email).expect(202);
    const secret = await linkSecret(user.email);
    for (const weak of ['password1234', 'rahmathidayat', 'qwertyuiop123']) {
      const refused = await reset(secret, weak);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toContainEqual(expect.objectContaining({ path: 'body.password', code: 'password_too_weak' }));
    }
    expect((await reset(secret, 'pendek')).status).toBe(400);
    await reset(secret).expect(204);

    const leaver = await makeUser(h.database.db, { roles: [Role.Auditor] });
    await forgot(leaver.email).expect(202);
    const leaverSecret = await linkSecret(leaver.email);
    await h.database.db.updateTable('users').set({ isActive: false }).where('id', '=', leaver.id).execute();
    await reset(leaverSecret).expect(409);
    expect((await auditOf(leaver.id, 'auth.password_reset_failed')).map((row) => row.after)).toEqual([{ reason: 'inactive' }]);
  });

  it('should accept one of two parallel uses of a link', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    await forgot(user.email).expect(202);
    const secret = await linkSecret(user.email);
    const both = await Promise.all([reset(secret, 'Pohon-Ulin-Tua-Sekali-42'), reset(secret, 'Burung-Enggang-Terbang-88')]);
    expect(both.map((r) => r.status).sort()).toEqual([204, 409]);
    expect(await auditOf(user.id, 'user.password_reset')).toHaveLength(1);
  });

  it('should clear the sign-in delays of the e-mail: owning the mailbox proves who it is', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const ip = freshIp();
    for (let i = 0; i < 6; i += 1)
      await request(h.app).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: user.email, password: 'salah-sekali-123' });
    const throttled = await request(h.app)
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ email: user.email, password: TEST_PASSWORD });
    expect(throttled.status).toBe(429);
    await forgot(user.email).expect(202);
    await reset(await linkSecret(user.email)).expect(204);
    const rows = await h.database.db
      .selectFrom('loginThrottle')
      .select(['failures', 'blockedUntil'])
      .where('emailHash', '=', emailThrottleHash(user.email))
      .execute();
    expect(rows.every((row) => row.failures === 0 && row.blockedUntil === null)).toBe(true);
    await request(h.app)
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ email: user.email, password: NEW_PASSWORD })
      .expect(200);
  });
});

describe('forgotten password: rate limits', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({
      trustProxyHops: 1,
      rateLimits: {
        passwordForgotPerIp: { name: 'forgot-ip', limit: 3, windowSeconds: 600 },
        passwordForgotPerEmail: { name: 'forgot-email', limit: 2, windowSeconds: 600 },
        passwordResetPerIp: { name: 'reset-ip', limit: 2, windowSeconds: 600 },
      },
    });
  });
  afterAll(() => h.close());

  const forgot = (email: string, ip: string) =>
    request(h.app).post('/api/v1/auth/password/forgot').set('X-Forwarded-For', ip).send({ email });

  it('should send at most the per-e-mail limit of links, answering the same beyond it, known e-mail or not', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const unknown = `tidak.ada.${Date.now()}@kalteng.go.id`;
    const answers = [];
    for (let i = 0; i < 4; i += 1) {
      answers.push(await forgot(user.email, `192.0.2.${10 + i}`));
      answers.push(await forgot(unknown, `192.0.2.${30 + i}`));
    }
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    const mails = await h.database.db.selectFrom('outbox').select('payload').where('topic', '=', 'email').execute();
    expect(mails.filter((row) => (row.payload as Mail).to.includes(user.email))).toHaveLength(2);
    const outcomes = await h.database.db
      .selectFrom('auditLog')
      .select('after')
      .where('action', '=', 'auth.password_reset_requested')
      .where('targetId', '=', user.id)
      .orderBy('id')
      .execute();
    expect(outcomes.map((row) => (row.after as { outcome: string }).outcome)).toEqual([
      'sent',
      'sent',
      'rate_limited_email',
      'rate_limited_email',
    ]);
  });

  it('should answer 429 with Retry-After past the per-address limit, for any e-mail', async () => {
    const ip = '192.0.2.200';
    for (let i = 0; i < 3; i += 1) await forgot(`orang${i}@kalteng.go.id`, ip).expect(202);
    const refused = await forgot('orang9@kalteng.go.id', ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.error.message).toMatch(/Terlalu banyak permintaan/);
  });

  it('should limit link attempts per address', async () => {
    const ip = '192.0.2.201';
    const attempt = () =>
      request(h.app)
        .post('/api/v1/auth/password/reset')
        .set('X-Forwarded-For', ip)
        .send({ token: 'B'.repeat(43), password: NEW_PASSWORD });
    await attempt().expect(409);
    await attempt().expect(409);
    await attempt().expect(429);
  });
});
