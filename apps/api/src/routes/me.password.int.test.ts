import { Role } from '@betang/core';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import request from 'supertest';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';

jest.setTimeout(90_000); // argon2 hashing and checks on a busy 2-core machine

const NEW_PASSWORD = 'Sungai-Kahayan-Biru-7391';

describe("POST /me/password: changing one's own password with the current one", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  async function userWithTwoSessionsAndToken() {
    const institution = await makeInstitution(h.database.db);
    const user = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: institution.id, name: 'Dewi Lestari' });
    const here = await signInAs(h.app, user.email);
    const elsewhere = await signInAs(h.app, user.email);
    const token = (
      await here.agent
        .post('/api/v1/me/tokens')
        .set('X-CSRF-Token', here.csrfToken)
        .send({ name: 'skrip', scopes: ['read', 'requests:write'] })
        .expect(201)
    ).body.secret as string;
    return { user, here, elsewhere, token };
  }

  const audit = (userId: string, action: string) =>
    h.database.db
      .selectFrom('auditLog')
      .select('after')
      .where('targetId', '=', userId)
      .where('action', '=', action)
      .orderBy('id')
      .execute();

  it('should change it, keep this session, end the others, revoke the API tokens, and audit it', async () => {
    const { user, here, elsewhere, token } = await userWithTwoSessionsAndToken();
    const changed = await here.agent
      .post('/api/v1/me/password')
      .set('X-CSRF-Token', here.csrfToken)
      .send({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ sessionsEnded: 1, tokensRevoked: 1 });

    await here.agent.get('/api/v1/me').expect(200);
    await elsewhere.agent.get('/api/v1/me').expect(401);
    await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
    await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(401);
    await signInAs(h.app, user.email, NEW_PASSWORD);
    expect((await audit(user.id, 'user.password_changed')).map((row) => row.after)).toEqual([
      { sessionsEnded: 1, tokensRevoked: 1, resetLinksSpent: 0 },
    ]);
  });

  it('should refuse a wrong current password with 401, audited and counted towards the sign-in delays, changing nothing', async () => {
    const { user, here, elsewhere } = await userWithTwoSessionsAndToken();
    const refused = await here.agent
      .post('/api/v1/me/password')
      .set('X-CSRF-Token', here.csrfToken)
      .send({ currentPassword: 'salah-sekali-123', newPassword: NEW_PASSWORD });
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toBe('Kata sandi saat ini salah; kata sandi tidak diganti.');
    await elsewhere.agent.get('/api/v1/me').expect(200);
    await signInAs(h.app, user.email);
    expect((await audit(user.id, 'user.password_change_failed')).map((row) => row.after)).toEqual([{ reason: 'wrong_password' }]);
    const counted = await h.database.db.selectFrom('loginThrottle').select('failures').where('ipHash', '=', '*').execute();
    expect(counted.some((row) => row.failures > 0)).toBe(true);
  });

  it('should refuse a weak new password, and the current one again, on body.newPassword', async () => {
    const { user, here } = await userWithTwoSessionsAndToken();
    const send = (newPassword: string) =>
      here.agent.post('/api/v1/me/password').set('X-CSRF-Token', here.csrfToken).send({ currentPassword: TEST_PASSWORD, newPassword });
    for (const weak of ['password1234', 'dewilestari2026', 'Jakarta12345']) {
      const refused = await send(weak);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toContainEqual(expect.objectContaining({ path: 'body.newPassword', code: 'password_too_weak' }));
    }
    const same = await send(TEST_PASSWORD);
    expect(same.status).toBe(400);
    expect(same.body.error.details).toContainEqual(expect.objectContaining({ path: 'body.newPassword', code: 'password_unchanged' }));
    const short = await send('pendek');
    expect(short.status).toBe(400);
    await signInAs(h.app, user.email);
  });

  it('should not tell whether a guess equals the new password before the current password is proven', async () => {
    const { here } = await userWithTwoSessionsAndToken();
    const guess = 'Tebakan-Kata-Sandi-9173';
    const refused = await here.agent
      .post('/api/v1/me/password')
      .set('X-CSRF-Token', here.csrfToken)
      .send({ currentPassword: guess, newPassword: guess });
    expect(refused.status).toBe(401);
  });

  it('should refuse an API token, even one with a write scope, and an anonymous caller', async () => {
    const { token } = await userWithTwoSessionsAndToken();
    const byToken = await request(h.app)
      .post('/api/v1/me/password')
      .set('Authorization', `Bearer ${token}`)
      .send({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
    expect(byToken.status).toBe(403);
    await request(h.app).post('/api/v1/me/password').send({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }).expect(401);
  });
});
