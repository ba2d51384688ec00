import { Role, plusDays, todayInJakarta } from '@betang/core';
import { insertApplication, type Db } from '@betang/db';
import { makeInstitution, makeUser } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { insertProvisionedVm } from '../testing/provisioned-vm';

const PASSWORD = 'Kata-Sandi-Uji-2026!';
const ceiling = { cores: 8, memoryMiB: 16384, diskGiB: 200, vmCount: 4, ipCount: 2 };

async function head(db: Db, role: Role, institutionId: string | null, nip: string) {
  const user = await makeUser(db, { roles: [role], institutionId });
  await db
    .updateTable('users')
    .set({ nip, position: role === Role.DcHead ? 'Kepala Dinas Kominfosantik' : 'Kepala Biro' })
    .where('id', '=', user.id)
    .execute();
  return user;
}

jest.setTimeout(90_000);

/**
 * Leases and renewal through the API: an operator drafts the renewal from the agreement in
 * force, both heads sign it through the usual signing route, and the institution's VMs (one in
 * its grace period, one stopped by its lease) move to it; operators extend, cancel and restart
 * lease steps, others cannot; another institution's ids answer 404.
 */
describe('leases and renewal', () => {
  let h: ApiHarness;
  let db: Db;
  let inst: string;
  let operator: SignedIn;
  let instHead: SignedIn;
  let staff: SignedIn;
  let otherStaff: SignedIn;
  let dcHead: SignedIn;
  let current: string;
  let graceVm: string;
  let stoppedVm: string;
  let renewal: string;
  const today = todayInJakarta();

  const post = (who: SignedIn, path: string, body: Record<string, unknown> = {}) =>
    who.agent.post(`/api/v1${path}`).set('X-CSRF-Token', who.csrfToken).send(body);
  const sign = async (who: SignedIn, id: string) => {
    const detail = (await who.agent.get(`/api/v1/agreements/${id}`)).body as { currentSha256: string };
    return post(who, `/agreements/${id}/signatures`, { password: PASSWORD, consent: true, expectedSha256: detail.currentSha256 });
  };

  beforeAll(async () => {
    h = await startApiHarness();
    db = h.database.db;
    inst = (await makeInstitution(db)).id;
    const app = await insertApplication(db, inst, {
      name: 'Portal Sewa',
      kind: 'khusus',
      picName: 'Budi',
      picNip: '198001012005011001',
      picEmail: 'budi@kalteng.go.id',
      developerType: 'internal',
      userType: 'public',
      status: 'active',
      dataClassification: 'rendah',
      url: 'https://portalsewa.kalteng.go.id',
    });
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    instHead = await signInAs(h.app, (await head(db, Role.InstitutionHead, inst, '197503122000032004')).email);
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: inst })).email);
    dcHead = await signInAs(h.app, (await head(db, Role.DcHead, null, '197108151998031005')).email);
    const created = await post(operator, '/agreements', {
      institutionId: inst,
      ceiling,
      applicationIds: [app.id],
      osTemplates: ['Debian 12'],
      termStart: '2026-01-01',
      termEnd: '2026-12-31',
    });
    expect(created.status).toBe(201);
    current = created.body.id;
    expect((await sign(instHead, current)).status).toBe(201);
    expect((await sign(dcHead, current)).status).toBe(201);

    // two VMs of another institution's fixture, moved into this institution and under its agreement
    for (const [octet, vmid, state] of [
      [61, 4601, 'running'],
      [62, 4602, 'stopped'],
    ] as const) {
      const { vmId } = await insertProvisionedVm(db, { poolOctet: octet, vmid, state });
      await db.updateTable('vms').set({ institutionId: inst, agreementId: current }).where('id', '=', vmId).execute();
      if (state === 'running') graceVm = vmId;
      else stoppedVm = vmId;
    }
    // as the lease sweep leaves them: one in its grace period, one stopped after its kept backup
    await db
      .insertInto('vmLeases')
      .values([
        { vmId: graceVm, agreementId: current, state: 'grace', endedOn: today, graceUntil: plusDays(today, 3) },
        {
          vmId: stoppedVm,
          agreementId: current,
          state: 'stopped',
          endedOn: plusDays(today, -40),
          graceUntil: plusDays(today, -10),
          stoppedOn: plusDays(today, -10),
          destroyOn: plusDays(today, 20),
        },
      ])
      .execute();
    const other = await makeInstitution(db);
    otherStaff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: other.id })).email);
  });
  afterAll(() => h.close());

  it('shows the lease of each covered VM to its institution and 404 to another', async () => {
    const list = await staff.agent.get(`/api/v1/agreements/${current}/leases`);
    expect(list.status).toBe(200);
    const byId = Object.fromEntries((list.body.items as { vmId: string }[]).map((i) => [i.vmId, i]));
    expect(byId[graceVm]).toMatchObject({ state: 'grace', stopOn: plusDays(today, 3), destroyOn: null });
    expect(byId[stoppedVm]).toMatchObject({ state: 'stopped', stopOn: null, destroyOn: plusDays(today, 20) });
    expect((await staff.agent.get(`/api/v1/vms/${graceVm}/lease`)).body).toMatchObject({ state: 'grace', agreement: { id: current } });
    expect((await otherStaff.agent.get(`/api/v1/agreements/${current}/leases`)).status).toBe(404);
    expect((await otherStaff.agent.get(`/api/v1/vms/${graceVm}/lease`)).status).toBe(404);
  });

  it('lets only operators change a lease step, each once and audited', async () => {
    expect((await post(staff, `/vms/${graceVm}/lease/extend`, { until: plusDays(today, 30) })).status).toBe(403);
    expect((await post(instHead, `/vms/${stoppedVm}/lease/cancel-destruction`)).status).toBe(403);
    const early = await post(operator, `/vms/${graceVm}/lease/extend`, { until: plusDays(today, 2) });
    expect(early.status).toBe(400);
    expect(early.body.error.message).toContain(plusDays(today, 3));
    const extended = await post(operator, `/vms/${graceVm}/lease/extend`, { until: plusDays(today, 30) });
    expect(extended.status).toBe(200);
    expect(extended.body).toMatchObject({ state: 'grace', stopOn: plusDays(today, 30) });
    // a step that does not apply to the lease's state is refused, naming the state
    const wrong = await post(operator, `/vms/${graceVm}/lease/cancel-destruction`);
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.message).toContain('masa tenggang');
    const wrongEn = await operator.agent
      .post(`/api/v1/vms/${graceVm}/lease/restart`)
      .set('X-CSRF-Token', operator.csrfToken)
      .set('Accept-Language', 'en')
      .send({});
    expect(wrongEn.status).toBe(409);
    expect(wrongEn.body.error.message).toContain('grace period');

    // the VM page's start does not get around a lease stop, for anyone
    for (const who of [staff, operator]) {
      const refused = await post(who, `/vms/${stoppedVm}/actions`, { action: 'start' });
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain('perjanjiannya berakhir');
    }
    const cancelled = await post(operator, `/vms/${stoppedVm}/lease/cancel-destruction`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'stopped', destroyOn: null });
    expect((await post(operator, `/vms/${stoppedVm}/lease/cancel-destruction`)).status).toBe(409);

    const audit = await db
      .selectFrom('auditLog')
      .select(['action', 'targetId', 'before', 'after'])
      .where('action', 'in', ['vm.lease_extended', 'vm.lease_destruction_cancelled'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      {
        action: 'vm.lease_extended',
        targetId: graceVm,
        before: { graceUntil: plusDays(today, 3) },
        after: { graceUntil: plusDays(today, 30) },
      },
      {
        action: 'vm.lease_destruction_cancelled',
        targetId: stoppedVm,
        before: { destroyOn: plusDays(today, 20) },
        after: { destroyOn: null },
      },
    ]);
  });

  it('drafts the renewal from the current agreement, once, for operators only', async () => {
    expect((await post(instHead, `/agreements/${current}/renewal`)).status).toBe(403);
    const drafted = await post(operator, `/agreements/${current}/renewal`);
    expect(drafted.status).toBe(201);
    expect(drafted.body).toMatchObject({ termStart: '2027-01-01', termEnd: '2027-12-31' });
    renewal = drafted.body.id;
    const detail = (await staff.agent.get(`/api/v1/agreements/${renewal}`)).body;
    const old = (await staff.agent.get(`/api/v1/agreements/${current}`)).body;
    expect(detail).toMatchObject({
      status: 'awaiting_institution_head',
      institutionId: inst,
      ceiling,
      applications: old.applications,
      termStart: '2027-01-01',
      termEnd: '2027-12-31',
    });
    const row = await db
      .selectFrom('agreements')
      .select(['renewsAgreementId', 'documentData'])
      .where('id', '=', renewal)
      .executeTakeFirstOrThrow();
    expect(row.renewsAgreementId).toBe(current);
    expect((row.documentData as { osTemplates: string[] }).osTemplates).toEqual(['Debian 12']);
    expect((await post(operator, `/agreements/${current}/renewal`)).status).toBe(409);
    expect((await post(operator, `/agreements/${renewal}/renewal`)).status).toBe(409);
  });

  it('moves the VMs to the renewal once both heads signed it, ending their leases (audited)', async () => {
    expect((await sign(instHead, renewal)).status).toBe(201);
    // not in force yet: the VMs stay where they are
    expect((await db.selectFrom('vms').select('agreementId').where('id', '=', graceVm).executeTakeFirstOrThrow()).agreementId).toBe(
      current,
    );
    const signed = await sign(dcHead, renewal);
    expect(signed.status).toBe(201);
    expect(signed.body.status).toBe('in_force');
    const vms = await db.selectFrom('vms').select(['id', 'agreementId', 'state']).where('id', 'in', [graceVm, stoppedVm]).execute();
    expect(vms.map((v) => v.agreementId)).toEqual([renewal, renewal]);
    expect(await db.selectFrom('vmLeases').select('vmId').where('vmId', 'in', [graceVm, stoppedVm]).execute()).toEqual([]);
    // the stopped VM stays stopped: an operator starts it (the usual start action)
    expect(vms.find((v) => v.id === stoppedVm)?.state).toBe('stopped');
    const lease = (await staff.agent.get(`/api/v1/vms/${stoppedVm}/lease`)).body;
    expect(lease).toMatchObject({ state: null, agreement: { id: renewal, status: 'in_force' } });
    const audit = await db
      .selectFrom('auditLog')
      .select(['targetId', 'before', 'after'])
      .where('action', '=', 'vm.lease_renewed')
      .orderBy('targetId')
      .execute();
    expect(audit).toHaveLength(2);
    expect(audit.find((a) => a.targetId === stoppedVm)).toMatchObject({
      before: { agreementId: current, leaseState: 'stopped', vmState: 'stopped' },
      after: { agreementId: renewal, leaseState: null },
    });
  });

  it('restarts a VM its lease stopped, back into a new grace period', async () => {
    await db
      .insertInto('vmLeases')
      .values({
        vmId: stoppedVm,
        agreementId: renewal,
        state: 'stopped',
        endedOn: plusDays(today, -40),
        graceUntil: plusDays(today, -10),
        stoppedOn: plusDays(today, -10),
        destroyOn: plusDays(today, 20),
      })
      .execute();
    expect((await post(staff, `/vms/${stoppedVm}/lease/restart`)).status).toBe(403);
    const restarted = await post(operator, `/vms/${stoppedVm}/lease/restart`);
    expect(restarted.status).toBe(202);
    const run = await db
      .selectFrom('provisioningRuns')
      .select(['kind', 'status'])
      .where('id', '=', restarted.body.runId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ kind: 'start', status: 'queued' });
    const lease = (await staff.agent.get(`/api/v1/vms/${stoppedVm}/lease`)).body;
    expect(lease).toMatchObject({ state: 'grace', stopOn: plusDays(today, 30), destroyOn: null });
    // the start run is live: a second restart is refused
    expect((await post(operator, `/vms/${stoppedVm}/lease/restart`)).status).toBe(409);
  });

  it('lets admins set the lease policy and refuses nonsense', async () => {
    const admin = await signInAs(h.app, (await makeUser(db, { roles: [Role.Admin] })).email);
    expect((await staff.agent.get('/api/v1/settings/lease-policy')).body).toEqual({ graceDays: 30, destroyAfterDays: 30 });
    expect(
      (
        await admin.agent
          .put('/api/v1/settings/lease-policy')
          .set('X-CSRF-Token', admin.csrfToken)
          .send({ graceDays: 0, destroyAfterDays: 5 })
      ).status,
    ).toBe(400);
    expect(
      (
        await operator.agent
          .put('/api/v1/settings/lease-policy')
          .set('X-CSRF-Token', operator.csrfToken)
          .send({ graceDays: 14, destroyAfterDays: 5 })
      ).status,
    ).toBe(403);
    const put = await admin.agent
      .put('/api/v1/settings/lease-policy')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ graceDays: 14, destroyAfterDays: 5 });
    expect(put.status).toBe(200);
    expect((await staff.agent.get('/api/v1/settings/lease-policy')).body).toEqual({ graceDays: 14, destroyAfterDays: 5 });
  });
});
