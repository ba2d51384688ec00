import { Role } from '@betang/core';
import { makeAgreementInForce, makeCatalog, makeInstitution, makeRunningVm, makeUser } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

jest.setTimeout(120_000); // argon2 hashing on a busy 2-core machine

/** One institution with a head, two staff members and VMs whose PIC is the first staff member. */
type Office = {
  institutionId: string;
  headId: string;
  head: SignedIn;
  picId: string;
  picEmail: string;
  otherStaffId: string;
  vmIds: string[];
};

describe('the responsible person (PIC) of each VM', () => {
  let h: ApiHarness;
  let admin: SignedIn;
  let operator: SignedIn;
  let operatorId: string;

  beforeAll(async () => {
    h = await startApiHarness();
    await makeCatalog(h.database.db);
    admin = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.Admin] })).email);
    const op = await makeUser(h.database.db, { roles: [Role.Operator] });
    operatorId = op.id;
    operator = await signInAs(h.app, op.email);
  });
  afterAll(() => h.close());

  async function office(vmCount = 2): Promise<Office> {
    const { db } = h.database;
    const institution = await makeInstitution(db);
    const headUser = await makeUser(db, { roles: [Role.InstitutionHead], institutionId: institution.id });
    const pic = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const other = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const vmIds: string[] = [];
    for (let i = 0; i < vmCount; i++) {
      vmIds.push((await makeRunningVm(db, { institutionId: institution.id, requestedBy: pic.id, picUserId: pic.id })).vmId);
    }
    return {
      institutionId: institution.id,
      headId: headUser.id,
      head: await signInAs(h.app, headUser.email),
      picId: pic.id,
      picEmail: pic.email,
      otherStaffId: other.id,
      vmIds,
    };
  }

  const needed = async (o: Office) =>
    (await o.head.agent.get(`/api/v1/institutions/${o.institutionId}/pic?needed=true`).expect(200)).body.items as {
      id: string;
      problem: string;
      pic: { userId: string } | null;
    }[];

  const picNotices = (userId: string) =>
    h.database.db
      .selectFrom('notifications')
      .select(['reason', 'title'])
      .where('userId', '=', userId)
      .where('kind', '=', 'vm.pic_needed')
      .orderBy('id')
      .execute();

  const assign = (who: SignedIn, vmIds: string[], picUserId: string) =>
    who.agent.post('/api/v1/pic/assignments').set('X-CSRF-Token', who.csrfToken).send({ vmIds, picUserId });

  it('lists every VM with its PIC; a VM whose PIC qualifies is not listed as needing one', async () => {
    const o = await office();
    expect(await needed(o)).toEqual([]);
    const all = await o.head.agent.get(`/api/v1/institutions/${o.institutionId}/pic`).expect(200);
    expect(
      all.body.items.map((v: { id: string; problem: null; pic: { userId: string } }) => [v.id, v.problem, v.pic.userId]).sort(),
    ).toEqual(o.vmIds.map((id) => [id, null, o.picId]).sort());
  });

  it('flags the VMs of a deactivated PIC, notifies the head and the operators once, and a bulk hand-over clears the flag', async () => {
    const o = await office();
    await admin.agent.post(`/api/v1/users/${o.picId}/deactivate`).set('X-CSRF-Token', admin.csrfToken).expect(200);

    const flagged = await needed(o);
    expect(flagged.map((v) => v.id).sort()).toEqual([...o.vmIds].sort());
    expect(flagged.every((v) => v.problem === 'inactive' && v.pic?.userId === o.picId)).toBe(true);
    const headNotices = await picNotices(o.headId);
    expect(headNotices).toHaveLength(1);
    expect(headNotices[0]!.reason).toContain(`pic:${o.picId}:${o.institutionId}:inactive:`);
    expect((await picNotices(operatorId)).filter((n) => n.reason.includes(o.picId))).toHaveLength(1);
    const audit = await h.database.db
      .selectFrom('auditLog')
      .select('after')
      .where('targetId', '=', o.picId)
      .where('action', '=', 'user.deactivated')
      .executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ vmsNeedingPic: 2 });

    // Deactivating again the same day sends nothing more.
    await admin.agent.post(`/api/v1/users/${o.picId}/deactivate`).set('X-CSRF-Token', admin.csrfToken).expect(200);
    expect(await picNotices(o.headId)).toHaveLength(1);

    // The operators' report lists them too.
    const report = await operator.agent.get('/api/v1/reports/pic').expect(200);
    expect(report.body.withoutPic.map((v: { id: string }) => v.id)).toEqual(expect.arrayContaining(o.vmIds));

    const candidates = await o.head.agent.get(`/api/v1/institutions/${o.institutionId}/pic/candidates`).expect(200);
    const candidateIds = candidates.body.items.map((c: { userId: string }) => c.userId);
    expect(candidateIds).toEqual(expect.arrayContaining([o.headId, o.otherStaffId]));
    expect(candidateIds).not.toContain(o.picId);

    const handed = await assign(o.head, o.vmIds, o.otherStaffId);
    expect(handed.status).toBe(200);
    expect(handed.body).toEqual({ changed: 2 });
    expect(await needed(o)).toEqual([]);
    const audits = await h.database.db
      .selectFrom('auditLog')
      .select(['targetId', 'before', 'after', 'actorUserId'])
      .where('action', '=', 'vm.pic_assigned')
      .where('targetId', 'in', o.vmIds)
      .execute();
    expect(audits).toHaveLength(2);
    expect(audits[0]).toMatchObject({
      actorUserId: o.headId,
      before: { picUserId: o.picId, problem: 'inactive' },
      after: { picUserId: o.otherStaffId },
    });
    // Naming the same person again changes nothing and writes no audit entry.
    expect((await assign(o.head, o.vmIds, o.otherStaffId)).body).toEqual({ changed: 0 });
  });

  it('flags the VMs of a PIC moved to another institution (in the old institution) and notifies its head', async () => {
    const o = await office(1);
    const elsewhere = await makeInstitution(h.database.db);
    const moved = await admin.agent
      .post(`/api/v1/users/${o.picId}/institution`)
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ institutionId: elsewhere.id });
    expect(moved.status).toBe(200);
    expect(moved.body.institutionId).toBe(elsewhere.id);
    expect((await needed(o)).map((v) => [v.id, v.problem])).toEqual([[o.vmIds[0], 'moved']]);
    expect((await picNotices(o.headId)).map((n) => n.reason)).toEqual([expect.stringContaining(`:${o.institutionId}:moved:`)]);
    // Only admins move users; data-center staff cannot be moved into an institution; unknown targets 404.
    const headMove = await o.head.agent
      .post(`/api/v1/users/${o.otherStaffId}/institution`)
      .set('X-CSRF-Token', o.head.csrfToken)
      .send({ institutionId: elsewhere.id });
    expect(headMove.status).toBe(403);
    const staffOfDc = await admin.agent
      .post(`/api/v1/users/${operatorId}/institution`)
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ institutionId: elsewhere.id });
    expect(staffOfDc.status).toBe(409);
    const nowhere = await admin.agent
      .post(`/api/v1/users/${o.otherStaffId}/institution`)
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ institutionId: '00000000-0000-4000-8000-000000000000' });
    expect(nowhere.status).toBe(404);
    // The moved user can no longer be named PIC of the old institution's VMs.
    const refused = await assign(o.head, o.vmIds, o.picId);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('PIC_NOT_ELIGIBLE');
  });

  it('flags the VMs when the head deactivates their PIC through PATCH /users/:id, and the audit entry counts them', async () => {
    const o = await office(1);
    const patched = await o.head.agent.patch(`/api/v1/users/${o.picId}`).set('X-CSRF-Token', o.head.csrfToken).send({ isActive: false });
    expect(patched.status).toBe(200);
    expect((await needed(o)).map((v) => [v.id, v.problem])).toEqual([[o.vmIds[0], 'inactive']]);
    expect((await picNotices(operatorId)).filter((n) => n.reason.startsWith(`pic:${o.picId}:`))).toHaveLength(1);
    const audit = await h.database.db
      .selectFrom('auditLog')
      .select('after')
      .where('targetId', '=', o.picId)
      .where('action', '=', 'user.updated')
      .executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ isActive: false, vmsNeedingPic: 1 });
    // Reactivating makes the VM fine again: nothing stored needs clearing.
    await o.head.agent.post(`/api/v1/users/${o.picId}/reactivate`).set('X-CSRF-Token', o.head.csrfToken).expect(200);
    expect(await needed(o)).toEqual([]);
  });

  it('does not flag a role change that keeps an institution role (staff made head)', async () => {
    const o = await office(1);
    const changed = await admin.agent
      .patch(`/api/v1/users/${o.picId}`)
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ roles: [Role.InstitutionHead] });
    expect(changed.status).toBe(200);
    expect(await needed(o)).toEqual([]);
    expect(await picNotices(o.headId)).toEqual([]);
  });

  it('names the PIC in the VM list and detail, and GET /vms?pic=needed keeps the VMs without a qualifying one', async () => {
    const o = await office(2);
    const { db } = h.database;
    const picName = (await db.selectFrom('users').select('name').where('id', '=', o.picId).executeTakeFirstOrThrow()).name;
    const detail = await o.head.agent.get(`/api/v1/vms/${o.vmIds[0]}`).expect(200);
    expect(detail.body.pic).toEqual({ userId: o.picId, name: picName, problem: null });
    await db.updateTable('vms').set({ picUserId: null }).where('id', '=', o.vmIds[1]!).execute();
    const listed = await o.head.agent.get('/api/v1/vms').expect(200);
    const byId = new Map(listed.body.items.map((v: { id: string; pic: unknown }) => [v.id, v.pic]));
    expect(byId.get(o.vmIds[1])).toBeNull();
    expect(byId.get(o.vmIds[0])).toEqual({ userId: o.picId, name: picName, problem: null });
    const needed = await operator.agent.get(`/api/v1/vms?pic=needed&institutionId=${o.institutionId}`).expect(200);
    expect(needed.body.items.map((v: { id: string }) => v.id)).toEqual([o.vmIds[1]]);
    // A deactivated PIC still names the VM, with why they no longer qualify.
    await db.updateTable('users').set({ isActive: false }).where('id', '=', o.picId).execute();
    expect((await operator.agent.get(`/api/v1/vms/${o.vmIds[0]}`).expect(200)).body.pic).toEqual({
      userId: o.picId,
      name: picName,
      problem: 'inactive',
    });
    const both = await operator.agent.get(`/api/v1/vms?pic=needed&institutionId=${o.institutionId}`).expect(200);
    expect(both.body.items.map((v: { id: string }) => v.id).sort()).toEqual([...o.vmIds].sort());
    expect((await operator.agent.get('/api/v1/vms?pic=someone')).status).toBe(400);
  });

  it('lists a PIC who lost every institution role as role_lost', async () => {
    const o = await office(1);
    // The API lets institution users hold only institution roles; another path (a directory sync,
    // a hand edit) may still strip them, and the rule is read from the user row every time.
    await h.database.db.deleteFrom('userRoles').where('userId', '=', o.picId).execute();
    await h.database.db.insertInto('userRoles').values({ userId: o.picId, role: Role.Auditor }).execute();
    expect((await needed(o)).map((v) => v.problem)).toEqual(['role_lost']);
  });

  it('refuses a bulk hand-over to a user of another institution with 422 and applies nothing', async () => {
    const o = await office(2);
    const other = await office(1);
    const before = await h.database.db.selectFrom('vms').select(['id', 'picUserId']).where('id', 'in', o.vmIds).execute();
    const refused = await assign(o.head, o.vmIds, other.otherStaffId);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('PIC_NOT_ELIGIBLE');
    // An operator's mix of two institutions' VMs is refused as a whole too.
    const mixed = await assign(operator, [...o.vmIds, ...other.vmIds], o.otherStaffId);
    expect(mixed.status).toBe(422);
    // An inactive user of the same institution does not qualify either.
    await admin.agent.post(`/api/v1/users/${o.otherStaffId}/deactivate`).set('X-CSRF-Token', admin.csrfToken).expect(200);
    expect((await assign(operator, o.vmIds, o.otherStaffId)).status).toBe(422);
    const after = await h.database.db.selectFrom('vms').select(['id', 'picUserId']).where('id', 'in', o.vmIds).execute();
    expect(after).toEqual(before);
    // Operators may hand over any institution's VMs to a qualifying user of it.
    expect((await assign(operator, o.vmIds, o.headId)).body).toEqual({ changed: 2 });
  });

  it("keeps heads to their own institution: B's VMs answer 404 like missing ones, B's list 404, staff 403", async () => {
    const a = await office(1);
    const b = await office(1);
    const foreign = await assign(a.head, b.vmIds, b.otherStaffId);
    expect(foreign.status).toBe(404);
    const missing = await assign(a.head, ['00000000-0000-4000-8000-000000000000'], b.otherStaffId);
    expect(missing.status).toBe(404);
    expect(JSON.stringify(foreign.body)).toBe(
      JSON.stringify({ ...missing.body, error: { ...missing.body.error, requestId: foreign.body.error.requestId } }),
    );
    // One foreign VM among own ones refuses all of them.
    expect((await assign(a.head, [...a.vmIds, ...b.vmIds], a.otherStaffId)).status).toBe(404);
    expect(
      (await h.database.db.selectFrom('vms').select('picUserId').where('id', '=', b.vmIds[0]!).executeTakeFirstOrThrow()).picUserId,
    ).toBe(b.picId);
    await a.head.agent.get(`/api/v1/institutions/${b.institutionId}/pic`).expect(404);
    await a.head.agent.get(`/api/v1/institutions/${b.institutionId}/pic/candidates`).expect(404);
    await a.head.agent.get('/api/v1/reports/pic').expect(403);
    const staff = await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: a.institutionId });
    const staffSession = await signInAs(h.app, staff.email);
    expect((await assign(staffSession, a.vmIds, staff.id)).status).toBe(403);
  });

  it('refuses hostile input: an oversized list, a non-uuid, an unknown field', async () => {
    const o = await office(1);
    const tooMany = Array.from({ length: 201 }, () => o.vmIds[0]!);
    expect((await assign(o.head, tooMany, o.otherStaffId)).status).toBe(400);
    expect((await assign(o.head, ["'; DROP TABLE vms; --"], o.otherStaffId)).status).toBe(400);
    const extra = await o.head.agent
      .post('/api/v1/pic/assignments')
      .set('X-CSRF-Token', o.head.csrfToken)
      .send({ vmIds: o.vmIds, picUserId: o.otherStaffId, institutionId: o.institutionId });
    expect(extra.status).toBe(400);
  });

  it('reports VMs whose agreement ends with no successor, and not those with a renewal lined up', async () => {
    const { db } = h.database;
    const year = new Date().getUTCFullYear();
    const lonely = await office(1);
    await makeAgreementInForce(db, lonely.institutionId, undefined, { start: `${year}-01-01`, end: `${year}-12-31` });
    const renewed = await office(1);
    await makeAgreementInForce(db, renewed.institutionId, undefined, { start: `${year}-01-01`, end: `${year}-12-31` });
    const next = await makeAgreementInForce(db, renewed.institutionId, undefined, { start: `${year + 1}-01-01`, end: `${year + 1}-12-31` });
    await db.updateTable('agreements').set({ status: 'awaiting_dc_head' }).where('id', '=', next).execute();

    const report = await operator.agent.get('/api/v1/reports/pic?withinDays=730').expect(200);
    const ids = report.body.withoutSuccessor.map((v: { id: string }) => v.id);
    expect(ids).toEqual(expect.arrayContaining(lonely.vmIds));
    expect(ids).not.toContain(renewed.vmIds[0]);
    const entry = report.body.withoutSuccessor.find((v: { id: string }) => v.id === lonely.vmIds[0]);
    expect(entry.agreement).toMatchObject({ status: 'in_force', termEnd: `${year}-12-31` });
    // A horizon that ends before the term does not count it as ending.
    const short = await operator.agent.get('/api/v1/reports/pic?withinDays=0').expect(200);
    if (new Date().toISOString().slice(0, 10) < `${year}-12-31`)
      expect(short.body.withoutSuccessor.map((v: { id: string }) => v.id)).not.toContain(lonely.vmIds[0]);
  });
});
