import { Role } from '@betang/core';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import request from 'supertest';
import { emailThrottleHash } from '../security/login-throttle';
import { totpCode, newTotpSecret } from '../security/totp';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';

describe('auth routes', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  const auditActions = async (targetId: string) =>
    (await h.database.db.selectFrom('auditLog').select('action').where('targetId', '=', targetId).orderBy('id').execute()).map(
      (r) => r.action,
    );

  it('should sign in with a session cookie that is httpOnly and SameSite, and audit it', async () => {
    const inst = await makeInstitution(h.database.db);
    const user = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: inst.id });
    const response = await request(h.app).post('/api/v1/auth/login').send({ email: user.email.toUpperCase(), password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ id: user.id, roles: ['institution_staff'], institutionId: inst.id });
    expect(response.body.user.passwordHash).toBeUndefined();
    expect(typeof response.body.csrfToken).toBe('string');
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/betang_session=[^;]+/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(await auditActions(user.id)).toEqual(['auth.login_succeeded']);
    const row = await h.database.db.selectFrom('sessions').select('idHash').where('userId', '=', user.id).executeTakeFirstOrThrow();
    expect(cookie).not.toContain(row.idHash); // only the hash is stored
  });

  it('should refuse a wrong password and an unknown e-mail with the same 401, both audited', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Operator] });
    const wrong = await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: 'salah-sekali-123' });
    const unknown = await request(h.app)
      .post('/api/v1/auth/login')
      .send({ email: 'tidak.ada@kalteng.go.id', password: 'salah-sekali-123' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
    expect(await auditActions(user.id)).toEqual(['auth.login_failed']);
    const unknownAudit = await h.database.db
      .selectFrom('auditLog')
      .select(['action', 'actorLabel'])
      .where('actorLabel', '=', 'tidak.ada@kalteng.go.id')
      .execute();
    expect(unknownAudit).toEqual([{ action: 'auth.login_failed', actorLabel: 'tidak.ada@kalteng.go.id' }]);
  });

  it('should require a valid TOTP code when the user enabled it', async () => {
    const secret = newTotpSecret();
    const user = await makeUser(h.database.db, { roles: [Role.DcHead], totpSecret: secret });
    await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(401);
    await request(h.app)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: TEST_PASSWORD, totp: '000000' === totpCode(secret) ? '111111' : '000000' })
      .expect(401);
    await request(h.app)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: TEST_PASSWORD, totp: totpCode(secret) })
      .expect(200);
  });

  it('should demand the CSRF token on cookie-authenticated unsafe requests', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Operator] });
    const { agent, csrfToken } = await signInAs(h.app, user.email);
    const without = await agent.post('/api/v1/me/tokens').send({ name: 'skrip' });
    expect(without.status).toBe(403);
    expect(without.body.error.code).toBe('CSRF_TOKEN_INVALID');
    const wrong = await agent.post('/api/v1/me/tokens').set('X-CSRF-Token', `${csrfToken}x`).send({ name: 'skrip' });
    expect(wrong.status).toBe(403);
    const ok = await agent.post('/api/v1/me/tokens').set('X-CSRF-Token', csrfToken).send({ name: 'skrip' });
    expect(ok.status).toBe(201);
    const me = await agent.get('/api/v1/me');
    expect(me.body.csrfToken).toBe(csrfToken);
  });

  it('should end the session on logout', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const { agent, csrfToken } = await signInAs(h.app, user.email);
    await agent.get('/api/v1/me').expect(200);
    await agent.post('/api/v1/auth/logout').set('X-CSRF-Token', csrfToken).expect(204);
    await agent.get('/api/v1/me').expect(401);
    expect(await auditActions(user.id)).toEqual(['auth.login_succeeded', 'auth.logout']);
  });

  it('should authenticate scripts with personal API tokens stored hashed, without CSRF, until revoked', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Operator] });
    const { agent, csrfToken } = await signInAs(h.app, user.email);
    const created = await agent.post('/api/v1/me/tokens').set('X-CSRF-Token', csrfToken).send({ name: 'cadangan-malam' });
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^btg_/);
    const stored = await h.database.db.selectFrom('apiTokens').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(stored.tokenHash).not.toContain(secret);
    const me = await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${secret}`);
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(user.id);
    expect(me.body.csrfToken).toBeNull();
    // Tokens cannot mint tokens: that needs a person in a browser session.
    const viaToken = await request(h.app).post('/api/v1/me/tokens').set('Authorization', `Bearer ${secret}`).send({ name: 'kedua' });
    expect(viaToken.status).toBe(403);
    expect(viaToken.body.error.code).toBe('TOKEN_SCOPE_MISSING');
    await agent.post('/api/v1/me/tokens').set('X-CSRF-Token', csrfToken).send({ name: 'kedua' }).expect(201);
    const list = await agent.get('/api/v1/me/tokens');
    expect(list.body.items.map((t: { name: string }) => t.name).sort()).toEqual(['cadangan-malam', 'kedua']);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    await agent.delete(`/api/v1/me/tokens/${created.body.id}`).set('X-CSRF-Token', csrfToken).expect(204);
    await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${secret}`).expect(401);
    await request(h.app).get('/api/v1/me').set('Authorization', 'Bearer not-a-token').expect(401);
  });

  it('should refuse expired tokens', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Operator] });
    const { agent, csrfToken } = await signInAs(h.app, user.email);
    const past = await agent
      .post('/api/v1/me/tokens')
      .set('X-CSRF-Token', csrfToken)
      .send({ name: 'lama', expiresAt: '2020-01-01T00:00:00+07:00' });
    expect(past.status).toBe(400);
    const created = await agent
      .post('/api/v1/me/tokens')
      .set('X-CSRF-Token', csrfToken)
      .send({ name: 'pendek', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await h.database.db
      .updateTable('apiTokens')
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where('id', '=', created.body.id)
      .execute();
    await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${created.body.secret}`).expect(401);
  });

  it('should enrol TOTP with password and a valid code', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.InstitutionHead], institutionId: (await makeInstitution(h.database.db)).id });
    const { agent, csrfToken } = await signInAs(h.app, user.email);
    const { body } = await agent.post('/api/v1/me/totp/secret').set('X-CSRF-Token', csrfToken).expect(200);
    expect(body.otpauthUrl).toContain(body.secret);
    await agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', csrfToken)
      .send({ secret: body.secret, code: totpCode(body.secret), password: 'salah' })
      .expect(401);
    // A wrong password here counts towards the sign-in delays and is audited, like any re-authentication.
    const counted = await h.database.db
      .selectFrom('loginThrottle')
      .select('failures')
      .where('ipHash', '!=', '*')
      .where('emailHash', '=', emailThrottleHash(user.email))
      .executeTakeFirstOrThrow();
    expect(counted.failures).toBeCloseTo(1, 2);
    expect(
      await h.database.db
        .selectFrom('auditLog')
        .select('action')
        .where('targetId', '=', user.id)
        .where('action', '=', 'user.totp_enable_failed')
        .execute(),
    ).toHaveLength(1);
    const wrongCode = totpCode(body.secret) === '000000' ? '111111' : '000000';
    const refused = await agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', csrfToken)
      .send({ secret: body.secret, code: wrongCode, password: TEST_PASSWORD });
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toBe('Kode dari aplikasi autentikator salah; TOTP tidak diaktifkan.');
    await agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', csrfToken)
      .send({ secret: body.secret, code: totpCode(body.secret), password: TEST_PASSWORD })
      .expect(204);
    const me = await agent.get('/api/v1/me');
    expect(me.body.user.totpEnabled).toBe(true);
    await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(401);
  });
});
