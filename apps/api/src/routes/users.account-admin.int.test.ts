import { Role } from '@betang/core';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import request from 'supertest';
import { newTotpSecret, totpCode } from '../security/totp';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';

jest.setTimeout(90_000); // argon2 hashing and checks on a busy 2-core machine

describe('deactivating and reactivating an account, and re-enrolment after an admin TOTP reset', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  const audit = (userId: string, action: string) =>
    h.database.db
      .selectFrom('auditLog')
      .select(['actorUserId', 'before', 'after'])
      .where('targetId', '=', userId)
      .where('action', '=', action)
      .orderBy('id')
      .execute();

  it('should let an admin deactivate a user: sessions end, API tokens revoked, sign-in refused like a wrong password; reactivation lets them in again, old tokens stay dead', async () => {
    const institution = await makeInstitution(h.database.db);
    const user = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const session = await signInAs(h.app, user.email);
    const token = (
      await session.agent
        .post('/api/v1/me/tokens')
        .set('X-CSRF-Token', session.csrfToken)
        .send({ name: 'skrip', scopes: ['read'] })
        .expect(201)
    ).body.secret as string;
    const admin = await makeUser(h.database.db, { roles: [Role.Admin] });
    const by = await signInAs(h.app, admin.email);

    const deactivated = await by.agent.post(`/api/v1/users/${user.id}/deactivate`).set('X-CSRF-Token', by.csrfToken);
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toEqual({ sessionsEnded: 1, tokensRevoked: 1 });
    await session.agent.get('/api/v1/me').expect(401);
    await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
    const refused = await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD });
    const wrong = await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: 'salah-sekali-123' });
    expect(refused.status).toBe(401);
    expect({ code: refused.body.error.code, message: refused.body.error.message }).toEqual({
      code: wrong.body.error.code,
      message: wrong.body.error.message,
    });
    const listed = await by.agent.get(`/api/v1/institutions/${institution.id}/users`).expect(200);
    expect(listed.body.items.find((u: { id: string }) => u.id === user.id).isActive).toBe(false);

    const reactivated = await by.agent.post(`/api/v1/users/${user.id}/reactivate`).set('X-CSRF-Token', by.csrfToken);
    expect(reactivated.status).toBe(200);
    expect(reactivated.body).toMatchObject({ id: user.id, isActive: true });
    await signInAs(h.app, user.email);
    await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);

    expect(await audit(user.id, 'user.deactivated')).toEqual([
      { actorUserId: admin.id, before: { isActive: true }, after: { isActive: false, sessionsEnded: 1, tokensRevoked: 1 } },
    ]);
    expect(await audit(user.id, 'user.reactivated')).toEqual([
      { actorUserId: admin.id, before: { isActive: false }, after: { isActive: true } },
    ]);
  });

  it('should revoke API tokens when PATCH /users/:id deactivates, so a reactivation does not bring them back', async () => {
    const institution = await makeInstitution(h.database.db);
    const user = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const session = await signInAs(h.app, user.email);
    const token = (
      await session.agent
        .post('/api/v1/me/tokens')
        .set('X-CSRF-Token', session.csrfToken)
        .send({ name: 'skrip', scopes: ['read'] })
        .expect(201)
    ).body.secret as string;
    const by = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.Admin] })).email);
    const patch = (isActive: boolean) => by.agent.patch(`/api/v1/users/${user.id}`).set('X-CSRF-Token', by.csrfToken).send({ isActive });
    expect((await patch(false)).status).toBe(200);
    expect((await patch(true)).status).toBe(200);
    await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
    const [updated] = await audit(user.id, 'user.updated');
    expect(updated?.after).toMatchObject({ isActive: false, sessionsEnded: 1, tokensRevoked: 1 });
  });

  it("should let an institution head deactivate their own institution's users only; staff get 403, other institutions 404, oneself 409", async () => {
    const [mine, theirs] = await Promise.all([makeInstitution(h.database.db), makeInstitution(h.database.db)]);
    const head = await makeUser(h.database.db, { roles: [Role.InstitutionHead], institutionId: mine.id });
    const colleague = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: mine.id });
    const stranger = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: theirs.id });
    const staffer = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: mine.id });
    const byHead = await signInAs(h.app, head.email);
    const byStaff = await signInAs(h.app, staffer.email);

    const post = (who: typeof byHead, path: string) => who.agent.post(`/api/v1/users/${path}`).set('X-CSRF-Token', who.csrfToken);
    expect((await post(byHead, `${stranger.id}/deactivate`)).status).toBe(404);
    expect((await post(byHead, '00000000-0000-4000-8000-000000000000/deactivate')).status).toBe(404);
    expect((await post(byStaff, `${colleague.id}/deactivate`)).status).toBe(403);
    const self = await post(byHead, `${head.id}/deactivate`);
    expect(self.status).toBe(409);
    expect(self.body.error.message).toBe('Anda tidak dapat menonaktifkan akun Anda sendiri.');
    expect((await post(byHead, `${colleague.id}/deactivate`)).status).toBe(200);
    expect((await post(byHead, `${stranger.id}/reactivate`)).status).toBe(404);
    expect((await post(byHead, `${colleague.id}/reactivate`)).status).toBe(200);
    await signInAs(h.app, stranger.email);
    expect(await audit(stranger.id, 'user.deactivated')).toEqual([]);
  });

  it('should make a user whose TOTP an admin reset enrol again at the next sign-in, whatever their role, until they do', async () => {
    const institution = await makeInstitution(h.database.db);
    const secret = newTotpSecret();
    // No role of this harness requires TOTP: the user had chosen it, and must get it back.
    const user = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: institution.id, totpSecret: secret });
    const admin = await makeUser(h.database.db, { roles: [Role.Admin] });
    const by = await signInAs(h.app, admin.email);
    await by.agent.post(`/api/v1/users/${user.id}/totp/reset`).set('X-CSRF-Token', by.csrfToken).expect(200);
    expect((await audit(user.id, 'user.totp_reset'))[0]!.after).toMatchObject({ totpEnabled: false, totpEnrolmentRequired: true });

    const agent = request.agent(h.app);
    const login = await agent.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    expect(login.body.totpEnrolmentRequired).toBe(true);
    const csrf = login.body.csrfToken as string;
    const elsewhere = await agent.get('/api/v1/vps-requests');
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.code).toBe('TOTP_ENROLMENT_REQUIRED');

    const fresh = (await agent.post('/api/v1/me/totp/secret').set('X-CSRF-Token', csrf).expect(200)).body.secret as string;
    await agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', csrf)
      .send({ secret: fresh, code: totpCode(fresh), password: TEST_PASSWORD })
      .expect(204);
    const me = await agent.get('/api/v1/me').expect(200);
    expect(me.body).toMatchObject({ totpEnrolmentRequired: false, user: { totpEnabled: true } });
    await agent.get('/api/v1/vps-requests').expect(200);
  });
});
