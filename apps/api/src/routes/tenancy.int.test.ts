import { Role } from '@betang/core';
import { makeInstitution, makeUser } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

/**
 * The tenancy rule for every route of the foundation: a user of institution A asking for
 * institution B's resources gets 404 (never 403, never the data), while A's own resources work.
 */
describe('tenancy: another institution answers 404', () => {
  let h: ApiHarness;
  let ownId: string;
  let otherId: string;
  let otherUserId: string;
  let head: SignedIn;
  let staff: SignedIn;

  beforeAll(async () => {
    h = await startApiHarness();
    const own = await makeInstitution(h.database.db);
    const other = await makeInstitution(h.database.db);
    ownId = own.id;
    otherId = other.id;
    otherUserId = (await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: other.id })).id;
    head = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.InstitutionHead], institutionId: own.id })).email);
    staff = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: own.id })).email);
  });
  afterAll(() => h.close());

  const newUser = () => ({
    email: `baru-${Math.random().toString(16).slice(2)}@kalteng.go.id`,
    name: 'Staf Baru',
    password: 'panjang-sekali-123',
    roles: ['institution_staff'],
  });

  it.each([
    ['GET', () => `/api/v1/institutions/${otherId}`],
    ['GET', () => `/api/v1/institutions/${otherId}/quota`],
    ['GET', () => `/api/v1/institutions/${otherId}/users`],
    ['POST', () => `/api/v1/institutions/${otherId}/users`],
    ['PATCH', () => `/api/v1/users/${otherUserId}`],
    ['GET', () => `/api/v1/audit-log?institutionId=${otherId}`],
  ])('%s %s of another institution → 404 for its head', async (method, path) => {
    const { agent, csrfToken } = head;
    const url = path();
    const response =
      method === 'GET'
        ? await agent.get(url)
        : method === 'POST'
          ? await agent.post(url).set('X-CSRF-Token', csrfToken).send(newUser())
          : await agent.patch(url).set('X-CSRF-Token', csrfToken).send({ name: 'Diubah' });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });

  it('should still serve the own institution to its head', async () => {
    await head.agent.get(`/api/v1/institutions/${ownId}`).expect(200);
    await head.agent.get(`/api/v1/institutions/${ownId}/quota`).expect(200);
    await head.agent.get(`/api/v1/institutions/${ownId}/users`).expect(200);
    const created = await head.agent.post(`/api/v1/institutions/${ownId}/users`).set('X-CSRF-Token', head.csrfToken).send(newUser());
    expect(created.status).toBe(201);
    expect(created.body.institutionId).toBe(ownId);
    const audit = await head.agent.get('/api/v1/audit-log');
    expect(audit.status).toBe(200);
    expect(audit.body.items.every((e: { institutionId: string }) => e.institutionId === ownId)).toBe(true);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('user.created');
  });

  it('should list only the own institution', async () => {
    const list = await staff.agent.get('/api/v1/institutions');
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([ownId]);
  });

  it('should answer 403 to a lesser role of the same institution and to role-gated routes', async () => {
    await staff.agent.get(`/api/v1/institutions/${ownId}/users`).expect(403);
    await staff.agent
      .put(`/api/v1/institutions/${ownId}/quota`)
      .set('X-CSRF-Token', staff.csrfToken)
      .send({ cores: 99, memoryMiB: 1, diskGiB: 1, vmCount: 1 })
      .expect(403);
    await staff.agent.post('/api/v1/institutions').set('X-CSRF-Token', staff.csrfToken).send({ code: 'X-Y', name: 'x' }).expect(403);
    await staff.agent.get('/api/v1/audit-log').expect(403);
    await head.agent.get('/api/v1/users').expect(403);
  });

  it('should not let an institution head grant data-center roles', async () => {
    const response = await head.agent
      .post(`/api/v1/institutions/${ownId}/users`)
      .set('X-CSRF-Token', head.csrfToken)
      .send({ ...newUser(), roles: ['admin'] });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0]).toMatchObject({ path: 'body.roles', code: 'role_not_allowed' });
  });

  it('should let data-center roles read every institution, and only admin/operator set quotas', async () => {
    const operator = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.Operator] })).email);
    await operator.agent.get(`/api/v1/institutions/${otherId}`).expect(200);
    const put = await operator.agent
      .put(`/api/v1/institutions/${otherId}/quota`)
      .set('X-CSRF-Token', operator.csrfToken)
      .send({ cores: 8, memoryMiB: 16384, diskGiB: 200, vmCount: 4 });
    expect(put.status).toBe(200);
    expect(put.body.limits).toEqual({ cores: 8, memoryMiB: 16384, diskGiB: 200, vmCount: 4 });
    expect(put.body.usage).toEqual({ cores: 0, memoryMiB: 0, diskGiB: 0, vmCount: 0 });
    const auditor = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.Auditor] })).email);
    await auditor.agent
      .put(`/api/v1/institutions/${otherId}/quota`)
      .set('X-CSRF-Token', auditor.csrfToken)
      .send({ cores: 1, memoryMiB: 1, diskGiB: 1, vmCount: 1 })
      .expect(403);
    const log = await auditor.agent.get(`/api/v1/audit-log?institutionId=${otherId}&action=quota.updated`);
    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toMatchObject({ before: { cores: 0 }, after: { cores: 8 } });
  });
});
