import { ALL_ROLES, Role } from '@betang/core';
import { ZApiEnvFields } from '@betang/config';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import request from 'supertest';
import { totpCode } from '../security/totp';
import { signInAs, startApiHarness, type ApiHarness } from '../testing/api-harness';

jest.setTimeout(30_000);

describe('TOTP required for the roles that sign or operate (TOTP_REQUIRED_ROLES on)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ totpRequiredRoles: ['admin', 'operator', 'dc_head', 'institution_head'] });
  });
  afterAll(() => h.close());

  it('should know exactly the roles of the core (config keeps its own copy of the names)', () => {
    const parsed = ZApiEnvFields.shape.TOTP_REQUIRED_ROLES.parse(ALL_ROLES.join(','));
    expect([...parsed].sort()).toEqual([...ALL_ROLES].sort());
  });

  it('should let an operator without TOTP sign in, restricted to /me, enrolment and sign-out until enrolled', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Operator] });
    const login = await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.totpEnrolmentRequired).toBe(true);
    const { agent, csrfToken } = await signInAs(h.app, user.email);

    const me = await agent.get('/api/v1/me').expect(200);
    expect(me.body.totpEnrolmentRequired).toBe(true);
    for (const [method, path] of [
      ['get', '/api/v1/operator/queue'],
      ['get', '/api/v1/me/tokens'],
      ['get', '/api/v1/institutions'],
      ['get', '/api/v1/vps-requests'],
    ] as const) {
      const refused = await agent[method](path).set('Accept-Language', 'en');
      expect([path, refused.status, refused.body.error?.code]).toEqual([path, 403, 'TOTP_ENROLMENT_REQUIRED']);
      expect(refused.body.error.message).toMatch(/requires two-factor sign-in/);
    }
    const idMessage = (await agent.get('/api/v1/institutions')).body.error.message as string;
    expect(idMessage).toMatch(/^Peran Anda mewajibkan verifikasi dua langkah/);
    // No tokens for such users either.
    const token = await agent.post('/api/v1/me/tokens').set('X-CSRF-Token', csrfToken).send({ name: 'pintas' });
    expect(token.status).toBe(403);
    expect(token.body.error.code).toBe('TOTP_ENROLMENT_REQUIRED');
    expect(await h.database.db.selectFrom('apiTokens').select('id').where('userId', '=', user.id).execute()).toEqual([]);
    // Public routes still answer.
    await agent.get('/api/v1/verify/AAAAAAAAAAAAAAAA').expect(404);

    // Enrol, and the same session is fully usable at once.
    const { body: enrol } = await agent.post('/api/v1/me/totp/secret').set('X-CSRF-Token', csrfToken).expect(200);
    await agent
      .post('/api/v1/me/totp')
      .set('X-CSRF-Token', csrfToken)
      .send({ secret: enrol.secret, code: totpCode(enrol.secret), password: TEST_PASSWORD })
      .expect(204);
    expect((await agent.get('/api/v1/me')).body.totpEnrolmentRequired).toBe(false);
    await agent.get('/api/v1/operator/queue').expect(200);
    await agent.post('/api/v1/me/tokens').set('X-CSRF-Token', csrfToken).send({ name: 'pintas' }).expect(201);
    await agent.post('/api/v1/auth/logout').set('X-CSRF-Token', csrfToken).expect(204);
  });

  it('should allow sign-out while restricted', async () => {
    const institution = await makeInstitution(h.database.db);
    const head = await makeUser(h.database.db, { roles: [Role.InstitutionHead], institutionId: institution.id });
    const { agent, csrfToken } = await signInAs(h.app, head.email);
    await agent.get('/api/v1/applications').expect(403);
    await agent.post('/api/v1/auth/logout').set('X-CSRF-Token', csrfToken).expect(204);
    await agent.get('/api/v1/me').expect(401);
  });

  it('should restrict an existing API token of a user whose role now requires TOTP', async () => {
    const user = await makeUser(h.database.db, { roles: [Role.Auditor] });
    const { agent, csrfToken } = await signInAs(h.app, user.email);
    const created = await agent.post('/api/v1/me/tokens').set('X-CSRF-Token', csrfToken).send({ name: 'laporan' }).expect(201);
    const bearer = { Authorization: `Bearer ${created.body.secret as string}` };
    await request(h.app).get('/api/v1/audit-log').set(bearer).expect(200);
    await h.database.db.insertInto('userRoles').values({ userId: user.id, role: Role.Admin }).execute();
    const refused = await request(h.app).get('/api/v1/audit-log').set(bearer);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('TOTP_ENROLMENT_REQUIRED');
  });

  it('should leave roles outside the list (staff, auditors) and enrolled holders unrestricted', async () => {
    const institution = await makeInstitution(h.database.db);
    const staff = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const staffLogin = await request(h.app).post('/api/v1/auth/login').send({ email: staff.email, password: TEST_PASSWORD }).expect(200);
    expect(staffLogin.body.totpEnrolmentRequired).toBe(false);
    const { agent } = await signInAs(h.app, staff.email);
    await agent.get('/api/v1/applications').expect(200);
  });
});
