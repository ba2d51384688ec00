import { Role } from '@betang/core';
import { makeInstitution, makeUser } from '@betang/testkit';
import request from 'supertest';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';

jest.setTimeout(60_000); // argon2 hashing and checks on a busy 2-core machine

describe("a password reset by an admin or the institution head ends the user's sessions and revokes their API tokens", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(() => h.close());

  const NEW_PASSWORD = 'Kata-Sandi-Baru-2026!';

  async function staffWithSessionAndToken(institutionId: string) {
    const staff = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId });
    const session = await signInAs(h.app, staff.email);
    const created = await session.agent
      .post('/api/v1/me/tokens')
      .set('X-CSRF-Token', session.csrfToken)
      .send({ name: 'skrip-inventaris', scopes: ['read'] })
      .expect(201);
    const token = created.body.secret as string;
    await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    return { staff, session, token };
  }

  it.each([
    ['the institution head', Role.InstitutionHead],
    ['an admin', Role.Admin],
  ])('should revoke the tokens and end the sessions when %s resets the password', async (_who, role) => {
    const institution = await makeInstitution(h.database.db);
    const { staff, session, token } = await staffWithSessionAndToken(institution.id);
    const resetter = await makeUser(h.database.db, { roles: [role], institutionId: role === Role.Admin ? null : institution.id });
    const by = await signInAs(h.app, resetter.email);
    await by.agent.patch(`/api/v1/users/${staff.id}`).set('X-CSRF-Token', by.csrfToken).send({ password: NEW_PASSWORD }).expect(200);

    await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
    await session.agent.get('/api/v1/me').expect(401);
    await signInAs(h.app, staff.email, NEW_PASSWORD);
    const audit = await h.database.db
      .selectFrom('auditLog')
      .select('after')
      .where('targetId', '=', staff.id)
      .where('action', '=', 'user.updated')
      .executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ passwordChanged: true, sessionsEnded: 1, tokensRevoked: 1 });
  });

  it('should keep the tokens and sessions when something other than the password changes', async () => {
    const institution = await makeInstitution(h.database.db);
    const { staff, session, token } = await staffWithSessionAndToken(institution.id);
    const admin = await makeUser(h.database.db, { roles: [Role.Admin] });
    const by = await signInAs(h.app, admin.email);
    await by.agent.patch(`/api/v1/users/${staff.id}`).set('X-CSRF-Token', by.csrfToken).send({ name: 'Nama Baru' }).expect(200);
    await request(h.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    await session.agent.get('/api/v1/me').expect(200);
  });
});
