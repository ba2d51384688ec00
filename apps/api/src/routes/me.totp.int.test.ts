import { Role } from '@betang/core';
import { makeUser, TEST_PASSWORD } from '@betang/testkit';
import request from 'supertest';
import { totpCode } from '../security/totp';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

jest.setTimeout(60_000); // many argon2 checks on a busy 2-core machine

/** A code of the next 30-second step (accepted as one step of clock drift). */
const nextCode = (secret: string) => totpCode(secret, Date.now() + 30_000);

describe('TOTP: each code once, the current code to replace it, other sessions and API tokens end on a change', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  const login = (email: string, totp?: string) =>
    request(h.app)
      .post('/api/v1/auth/login')
      .send({ email, password: TEST_PASSWORD, ...(totp ? { totp } : {}) });
  const signInWithCode = async (email: string, code: string): Promise<SignedIn> => {
    const agent = request.agent(h.app);
    const response = await agent.post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD, totp: code });
    if (response.status !== 200) throw new Error(`sign-in failed: ${response.status}`);
    return { agent, csrfToken: response.body.csrfToken as string };
  };
  /** Lets the next code pass again, as if the clock had moved on a step (the tests cannot wait 30 s per step). */
  const forgetUsedSteps = (userId: string) =>
    h.database.db.updateTable('users').set({ totpLastStep: null }).where('id', '=', userId).execute();
  const newSecret = async (session: SignedIn) =>
    (await session.agent.post('/api/v1/me/totp/secret').set('X-CSRF-Token', session.csrfToken).expect(200)).body.secret as string;
  const createToken = async (session: SignedIn) =>
    (
      await session.agent
        .post('/api/v1/me/tokens')
        .set('X-CSRF-Token', session.csrfToken)
        .send({ name: `skrip-${Date.now()}` })
        .expect(201)
    ).body.secret as string;
  const tokenWorks = async (token: string) =>
    (await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status === 200;
  const sessionWorks = async (session: SignedIn) => (await session.agent.get('/api/v1/me')).status === 200;

  it('should refuse a code the second time at sign-in, and audit why', async () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const user = await makeUser(h.database.db, { roles: [Role.DcHead], totpSecret: secret });
    const code = totpCode(secret);
    await login(user.email, code).expect(200);
    const replay = await login(user.email, code);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('INVALID_CREDENTIALS');
    await login(user.email, nextCode(secret)).expect(200);
    // An earlier step than the last accepted one is refused too.
    await login(user.email, totpCode(secret, Date.now() - 30_000)).expect(401);
    const reasons = (
      await h.database.db
        .selectFrom('auditLog')
        .select('after')
        .where('targetId', '=', user.id)
        .where('action', '=', 'auth.login_failed')
        .execute()
    ).map((a) => (a.after as { reason: string }).reason);
    expect(reasons).toEqual(['totp_reused', 'totp_reused']);
  });

  it('should let exactly one of parallel sign-ins with the same code through', async () => {
    const secret = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
    const user = await makeUser(h.database.db, { roles: [Role.DcHead], totpSecret: secret });
    const code = totpCode(secret);
    const answers = await Promise.all(Array.from({ length: 4 }, () => login(user.email, code)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401]);
  });

  it('should refuse, as the current code to replace TOTP, a code already used to sign in', async () => {
    const secret = 'MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK';
    const user = await makeUser(h.database.db, { roles: [Role.Operator], totpSecret: secret });
    const code = totpCode(secret);
    const session = await signInWithCode(user.email, code);
    const fresh = await newSecret(session);
    const reused = await session.agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', session.csrfToken)
      .send({ secret: fresh, code: totpCode(fresh), password: TEST_PASSWORD, currentCode: code });
    expect(reused.status).toBe(401);
  });

  it('should require a valid current code to replace an active authenticator, not only the password', async () => {
    const secret = 'ONSWG4TFOQYTEMZUONSWG4TFOQYTEMZU';
    const user = await makeUser(h.database.db, { roles: [Role.Operator], totpSecret: secret });
    const session = await signInWithCode(user.email, totpCode(secret));
    const fresh = await newSecret(session);
    const post = (body: object) =>
      session.agent.post('/api/v1/me/totp').set('X-CSRF-Token', session.csrfToken).set('Accept-Language', 'id').send(body);

    const withoutCurrent = await post({ secret: fresh, code: totpCode(fresh), password: TEST_PASSWORD });
    expect(withoutCurrent.status).toBe(400);
    expect(withoutCurrent.body.error.details).toEqual([expect.objectContaining({ path: 'body.currentCode' })]);
    const wrongCurrent = nextCode(secret) === '000000' ? '111111' : '000000';
    const refused = await post({ secret: fresh, code: totpCode(fresh), password: TEST_PASSWORD, currentCode: wrongCurrent });
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toBe('Kata sandi atau kode TOTP saat ini salah; TOTP tidak diganti.');
    const wrongPassword = await post({ secret: fresh, code: totpCode(fresh), password: 'salah-sekali-123', currentCode: nextCode(secret) });
    expect(wrongPassword.status).toBe(401);
    // Still the old authenticator.
    await forgetUsedSteps(user.id);
    await login(user.email, totpCode(secret)).expect(200);

    await forgetUsedSteps(user.id);
    await post({ secret: fresh, code: totpCode(fresh), password: TEST_PASSWORD, currentCode: nextCode(secret) }).expect(204);
    await forgetUsedSteps(user.id);
    await login(user.email, totpCode(secret)).expect(401);
    await forgetUsedSteps(user.id);
    await login(user.email, totpCode(fresh)).expect(200);
    const actions = (
      await h.database.db
        .selectFrom('auditLog')
        .select('action')
        .where('targetId', '=', user.id)
        .where('action', 'like', 'user.totp%')
        .orderBy('id')
        .execute()
    ).map((a) => a.action);
    expect(actions).toEqual(['user.totp_change_failed', 'user.totp_change_failed', 'user.totp_changed']);
  });

  it('should not let the code that confirmed a new authenticator sign in afterwards', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const session = await signInAs(h.app, user.email);
    const secret = await newSecret(session);
    const code = totpCode(secret);
    await session.agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', session.csrfToken)
      .send({ secret, code, password: TEST_PASSWORD })
      .expect(204);
    await login(user.email, code).expect(401);
    await login(user.email, nextCode(secret)).expect(200);
  });

  it('should end every other session and revoke the API tokens on enrolment, replacement and switching off, keeping the current session', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const current = await signInAs(h.app, user.email);
    let other = await signInAs(h.app, user.email);
    let token = await createToken(current);
    expect(await sessionWorks(other)).toBe(true);
    expect(await tokenWorks(token)).toBe(true);

    // Enrolment.
    const first = await newSecret(current);
    await current.agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', current.csrfToken)
      .send({ secret: first, code: totpCode(first), password: TEST_PASSWORD })
      .expect(204);
    expect(await sessionWorks(current)).toBe(true);
    expect(await sessionWorks(other)).toBe(false);
    expect(await tokenWorks(token)).toBe(false);

    // Replacement.
    await forgetUsedSteps(user.id);
    other = await signInWithCode(user.email, totpCode(first));
    token = await createToken(current);
    const second = await newSecret(current);
    await forgetUsedSteps(user.id);
    await current.agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', current.csrfToken)
      .send({ secret: second, code: totpCode(second), password: TEST_PASSWORD, currentCode: totpCode(first) })
      .expect(204);
    expect(await sessionWorks(current)).toBe(true);
    expect(await sessionWorks(other)).toBe(false);
    expect(await tokenWorks(token)).toBe(false);

    // Switching off: the password and a current code, then the same ending.
    await forgetUsedSteps(user.id);
    other = await signInWithCode(user.email, totpCode(second));
    token = await createToken(current);
    await forgetUsedSteps(user.id);
    const wrong = totpCode(second) === '000000' ? '111111' : '000000';
    await current.agent
      .post('/api/v1/me/totp/disable')
      .set('X-CSRF-Token', current.csrfToken)
      .send({ password: TEST_PASSWORD, code: wrong })
      .expect(401);
    expect(await sessionWorks(other)).toBe(true);
    await current.agent
      .post('/api/v1/me/totp/disable')
      .set('X-CSRF-Token', current.csrfToken)
      .send({ password: TEST_PASSWORD, code: totpCode(second) })
      .expect(204);
    expect(await sessionWorks(current)).toBe(true);
    expect(await sessionWorks(other)).toBe(false);
    expect(await tokenWorks(token)).toBe(false);
    expect((await current.agent.get('/api/v1/me')).body.user.totpEnabled).toBe(false);
    await login(user.email).expect(200);

    const audited = await h.database.db
      .selectFrom('auditLog')
      .select(['action', 'after'])
      .where('targetId', '=', user.id)
      .where('action', 'in', ['user.totp_enabled', 'user.totp_changed', 'user.totp_disabled'])
      .orderBy('id')
      .execute();
    expect(audited).toEqual([
      { action: 'user.totp_enabled', after: { sessionsEnded: 1, tokensRevoked: 1 } },
      { action: 'user.totp_changed', after: { sessionsEnded: 1, tokensRevoked: 1 } },
      { action: 'user.totp_disabled', after: { sessionsEnded: 1, tokensRevoked: 1 } },
    ]);
  });
});

describe('TOTP cannot be switched off by a role that requires it', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ totpRequiredRoles: ['operator'] });
  });
  afterAll(() => h.close());

  it('should answer 409 and keep TOTP on', async () => {
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    const user = await makeUser(h.database.db, { roles: [Role.Operator], totpSecret: secret });
    const agent = request.agent(h.app);
    const { body } = await agent
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: TEST_PASSWORD, totp: totpCode(secret) })
      .expect(200);
    const refused = await agent
      .post('/api/v1/me/totp/disable')
      .set('X-CSRF-Token', body.csrfToken)
      .send({ password: TEST_PASSWORD, code: nextCode(secret) });
    expect(refused.status).toBe(409);
    expect((await agent.get('/api/v1/me')).body.user.totpEnabled).toBe(true);
  });
});
