import { Role } from '@betang/core';
import {
  makeAgreementInForce,
  makeApplication,
  makeCatalog,
  makeInstitution,
  makeIpPool,
  makeQuota,
  makeUser,
  testSshKey,
} from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

type Precheck = { blockers: { key: string; message: { id: string; en: string }; link: string | null }[]; submittable: boolean };

/** Guidance before effort: what blocks a request, named as the next step, before and while the form is filled. */
describe('GET /vps-requests/precheck and /vps-requests/:id/queue', () => {
  let h: ApiHarness;
  let institutionId: string;
  let appId: string;
  let staff: SignedIn;
  let head: SignedIn;
  let operator: SignedIn;
  let n = 0;

  const precheck = async (who: SignedIn, query = '', language = 'id') => {
    const answer = await who.agent.get(`/api/v1/vps-requests/precheck${query}`).set('Accept-Language', language);
    return { status: answer.status, body: answer.body as Precheck };
  };
  const submit = (who: SignedIn, applicationId = appId) =>
    who.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', who.csrfToken)
      .send({
        applicationId,
        hostname: `antre-${(n += 1)}`,
        templateId: 'debian-12',
        presetId: 'small',
        sshPublicKeys: [testSshKey()],
        purpose: 'Server aplikasi untuk layanan publik',
        network: { publicAccess: false, ports: [443] },
        contact: { name: 'Budi Santoso', nip: '198501012010011001', phone: '+62 812-5555-0101', email: 'budi@kalteng.go.id' },
      });

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    await makeIpPool(db, { size: 5, octet: 141 });
    institutionId = (await makeInstitution(db)).id;
    appId = await makeApplication(db, institutionId, 'SIMPUS Dinkes');
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, institutionId, admin.id, { cores: 6, memoryMiB: 16384, diskGiB: 200, vmCount: 4 });
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email);
    head = await signInAs(
      h.app,
      (await makeUser(db, { roles: [Role.InstitutionHead], institutionId, name: 'dr. Suyuti Kepala Dinas' })).email,
    );
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
  });
  afterAll(() => h.close());

  it('should name the institution head when no agreement exists, before anything is chosen', async () => {
    const answer = await precheck(staff);
    expect(answer.status).toBe(200);
    expect(answer.body.submittable).toBe(false);
    expect(answer.body.blockers).toHaveLength(1);
    expect(answer.body.blockers[0]).toMatchObject({ key: 'agreement', link: 'agreements' });
    expect(answer.body.blockers[0]!.message.id).toMatch(
      /belum memiliki perjanjian .* dr\. Suyuti Kepala Dinas menandatanganinya di menu Perjanjian/,
    );
  });

  it('should say which head has not signed yet, and tell the head to sign', async () => {
    const { db } = h.database;
    const id = await makeAgreementInForce(db, institutionId);
    await db
      .updateTable('agreements')
      .set({
        status: 'awaiting_institution_head',
        documentData: JSON.stringify({ institution: { head: { name: 'dr. Suyuti Kepala Dinas', nip: '197409092001121008' } } }),
      })
      .where('id', '=', id)
      .execute();
    const number = (await db.selectFrom('agreements').select('number').where('id', '=', id).executeTakeFirstOrThrow()).number;
    const seen = await precheck(staff);
    expect(seen.body.blockers[0]!.message.id).toBe(
      `dr. Suyuti Kepala Dinas belum menandatangani perjanjian ${number} — minta beliau menandatanganinya di menu Perjanjian.`,
    );
    expect((await precheck(staff, '', 'en')).body.blockers[0]!.message.en).toMatch(/has not signed agreement/);
    expect((await precheck(head)).body.blockers[0]!.message.id).toMatch(/^Anda belum menandatangani perjanjian/);
    // Submission refuses it too: the guidance never promises what the server would refuse.
    expect((await submit(staff)).status).toBe(422);
    await db.updateTable('agreements').set({ status: 'in_force' }).where('id', '=', id).execute();
    await db.insertInto('agreementApplications').values({ agreementId: id, applicationId: appId }).execute();
  });

  it('should check coverage, ceiling and quota for what the form holds, as it changes', async () => {
    expect((await precheck(staff)).body).toEqual({ blockers: [], submittable: true });
    expect((await precheck(staff, `?applicationId=${appId}&templateId=debian-12&presetId=small`)).body.submittable).toBe(true);
    const other = await makeApplication(h.database.db, institutionId, 'Portal Lelang');
    const uncovered = await precheck(staff, `?applicationId=${other}&templateId=debian-12`);
    expect(uncovered.body.blockers.map((b) => b.key)).toEqual(['coverage']);
    expect(uncovered.body.blockers[0]!.message.id).toMatch(/Portal Lelang tidak tercantum/);
    const big = await precheck(staff, '?cores=8&memoryMiB=4096&diskGiB=40');
    expect(big.body.blockers.map((b) => b.key)).toEqual(['quota']);
    expect(big.body.blockers[0]).toMatchObject({ link: 'quota' });
    expect(big.body.blockers[0]!.message.id).toMatch(/sisa kuota .* untuk vCPU\./);
    // An incomplete custom size is not judged yet.
    expect((await precheck(staff, '?cores=8')).body.blockers).toEqual([]);
  });

  it('should refuse the ceiling the agreement sets, even within the quota', async () => {
    const { db } = h.database;
    await db.updateTable('agreements').set({ ceilingCores: 1 }).where('institutionId', '=', institutionId).execute();
    const answer = await precheck(staff, '?presetId=medium');
    expect(answer.body.blockers.map((b) => b.key)).toEqual(['ceiling']);
    expect(answer.body.blockers[0]!.message.id).toMatch(/plafon perjanjian .* untuk vCPU/);
    await db.updateTable('agreements').set({ ceilingCores: 64 }).where('institutionId', '=', institutionId).execute();
  });

  it('should refuse data-center roles and hostile input', async () => {
    expect((await precheck(operator)).status).toBe(403);
    expect((await precheck(staff, '?applicationId=not-a-uuid')).status).toBe(400);
    expect((await precheck(staff, `?templateId=${'x'.repeat(5000)}`)).status).toBe(400);
    expect((await precheck(staff, '?cores=1;rm%20-rf%20/')).status).toBe(400);
    // Another institution's application answers exactly as a missing one.
    const elsewhere = await makeInstitution(h.database.db);
    const foreign = await makeApplication(h.database.db, elsewhere.id, 'Aplikasi Lain');
    const theirs = await precheck(staff, `?applicationId=${foreign}&templateId=debian-12`);
    const missing = await precheck(staff, `?applicationId=00000000-0000-4000-8000-000000000000&templateId=debian-12`);
    expect([theirs.status, missing.status]).toEqual([404, 404]);
    expect(JSON.stringify(theirs.body)).not.toContain('Aplikasi Lain');
  });

  it('should tell the queue position and the time the approval standard allows, to the institution only', async () => {
    const first = await submit(staff);
    const second = await submit(staff);
    expect([first.status, second.status]).toEqual([201, 201]);
    const queue = await staff.agent.get(`/api/v1/vps-requests/${second.body.id}/queue`);
    expect(queue.status).toBe(200);
    expect(queue.body.position).toBe(queue.body.waiting);
    expect(queue.body.position).toBeGreaterThanOrEqual(2);
    const firstQueue = await staff.agent.get(`/api/v1/vps-requests/${first.body.id}/queue`);
    expect(firstQueue.body.position).toBe(queue.body.position - 1);
    expect(Date.parse(queue.body.dueAt) - Date.parse(second.body.createdAt)).toBe(queue.body.approvalHours * 3_600_000);
    const elsewhere = await makeInstitution(h.database.db);
    const stranger = await signInAs(
      h.app,
      (await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: elsewhere.id })).email,
    );
    expect((await stranger.agent.get(`/api/v1/vps-requests/${second.body.id}/queue`)).status).toBe(404);
    await operator.agent
      .post(`/api/v1/vps-requests/${first.body.id}/reject`)
      .set('X-CSRF-Token', operator.csrfToken)
      .send({ reason: 'Tidak sesuai kebutuhan layanan' });
    const after = await staff.agent.get(`/api/v1/vps-requests/${second.body.id}/queue`);
    expect(after.body.position).toBe(queue.body.position - 1);
    expect((await staff.agent.get(`/api/v1/vps-requests/${first.body.id}/queue`)).body.position).toBeNull();
  });
});
