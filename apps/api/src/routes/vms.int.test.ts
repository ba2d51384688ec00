import { Role } from '@betang/core';
import { makeAgreementInForce, makeApplication, makeCatalog, makeInstitution, makeIpPool, makeQuota, makeUser } from '@betang/testkit';
import { activeVmThroughApi } from '../testing/active-vm';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

describe('VM day-2 actions', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let operator: SignedIn;
  let outsider: SignedIn;
  let applicationId: string;
  let institutionId: string;
  let n = 0;

  const activeVm = () => {
    n += 1;
    return activeVmThroughApi(
      { db: h.database.db, staff, operator, institutionId, applicationId },
      { hostname: `vm-${n}`, vmid: 100_000 + n },
    );
  };
  const post = (who: SignedIn, path: string, body: object, lang = 'id') =>
    who.agent.post(path).set('X-CSRF-Token', who.csrfToken).set('Accept-Language', lang).send(body);

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    await makeIpPool(db, { size: 20, octet: 150 });
    institutionId = (await makeInstitution(db)).id;
    applicationId = await makeApplication(db, institutionId);
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, institutionId, admin.id, { cores: 6, memoryMiB: 32_768, diskGiB: 500, vmCount: 8 });
    await makeAgreementInForce(db, institutionId);
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    const other = await makeInstitution(db);
    outsider = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionHead], institutionId: other.id })).email);
  });
  afterAll(() => h.close());

  it('should list own VMs with their address, and hide them from other institutions', async () => {
    const { vmId } = await activeVm();
    const list = await staff.agent.get('/api/v1/vms');
    // The node is operators' detail: the institution sees its VM without it, operators with it.
    expect(list.body.items.find((v: { id: string }) => v.id === vmId)).toMatchObject({
      state: 'running',
      ipAddress: expect.stringMatching(/^10\.150\.0\./),
      node: null,
    });
    expect((await staff.agent.get(`/api/v1/vms/${vmId}`)).body.node).toBeNull();
    expect((await operator.agent.get(`/api/v1/vms/${vmId}`)).body.node).toBe('pve1');
    expect((await outsider.agent.get(`/api/v1/vms/${vmId}`)).status).toBe(404);
    expect((await post(outsider, `/api/v1/vms/${vmId}/actions`, { action: 'stop' })).status).toBe(404);
    expect((await outsider.agent.get('/api/v1/vms')).body.items).toEqual([]);
  });

  it('should queue a power action as a run with one job, and refuse a second while it is live', async () => {
    const { vmId, requestId } = await activeVm();
    const stop = await post(staff, `/api/v1/vms/${vmId}/actions`, { action: 'shutdown' });
    expect(stop.status).toBe(202);
    const job = await h.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('dedupKey', '=', `run:${stop.body.runId}`)
      .executeTakeFirstOrThrow();
    expect(job.payload).toEqual({ name: 'vm.action', data: { runId: stop.body.runId } });
    const run = await h.database.db
      .selectFrom('provisioningRuns')
      .select(['kind', 'status', 'vmId'])
      .where('id', '=', stop.body.runId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ kind: 'shutdown', status: 'queued', vmId });
    // another action while the shutdown is queued: 409 naming it, in the caller's language
    const busy = await post(staff, `/api/v1/vms/${vmId}/actions`, { action: 'reboot' });
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toBe(
      `VM ini sedang diubah (mematikan VM, run ${stop.body.runId}). Tunggu sampai selesai, lalu coba lagi.`,
    );
    const busyEn = await post(staff, `/api/v1/vms/${vmId}/actions`, { action: 'reboot' }, 'en');
    expect(busyEn.body.error.message).toContain(`(shutting the VM down, run ${stop.body.runId})`);
    expect((await post(staff, `/api/v1/vms/${vmId}/actions`, { action: 'hibernate' })).status).toBe(400);
    const detail = await staff.agent.get(`/api/v1/vps-requests/${requestId}`);
    expect(detail.body.run).toMatchObject({ id: stop.body.runId, status: 'queued' });
  });

  it('should refuse an action the VM state does not allow', async () => {
    const { vmId } = await activeVm();
    const start = await post(staff, `/api/v1/vms/${vmId}/actions`, { action: 'start' });
    expect(start.status).toBe(409);
    expect(start.body.error.message).toMatch(/running/);
  });

  it('should let operators ask to grow a VM within the size bounds and the quota, through approval', async () => {
    const { vmId, requestId } = await activeVm();
    expect((await post(outsider, `/api/v1/vms/${vmId}/resize`, { cores: 2 })).status).toBe(404);
    expect((await post(operator, `/api/v1/vms/${vmId}/resize`, { diskGiB: 10 })).status).toBe(400);
    expect((await post(operator, `/api/v1/vms/${vmId}/resize`, { cores: 64 })).status).toBe(400);
    const tooMuch = await post(operator, `/api/v1/vms/${vmId}/resize`, { cores: 8 });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.code).toBe('QUOTA_EXCEEDED');
    const grown = await post(operator, `/api/v1/vms/${vmId}/resize`, { cores: 2, diskGiB: 40 });
    expect(grown.status).toBe(202);
    expect(grown.body).toMatchObject({ runId: expect.any(String), status: 'awaiting_approval', pendingLevel: { level: 1 } });
    const request = await h.database.db
      .selectFrom('vpsRequests')
      .select(['cores', 'diskGiB'])
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(request).toEqual({ cores: 2, diskGiB: 40 });
  });

  it('should decommission with a reason and the typed host name, retaining the VM first', async () => {
    const { vmId, requestId } = await activeVm();
    expect((await post(staff, `/api/v1/vms/${vmId}/decommission`, {})).status).toBe(400);
    const { name } = await h.database.db.selectFrom('vms').select('name').where('id', '=', vmId).executeTakeFirstOrThrow();
    const done = await post(staff, `/api/v1/vms/${vmId}/decommission`, { reason: 'Aplikasi dipindah ke PDN', confirmHostname: name });
    expect(done.status).toBe(202);
    expect(done.body).toMatchObject({ status: 'retained', runId: expect.any(String) });
    const request = await staff.agent.get(`/api/v1/vps-requests/${requestId}`);
    expect(request.body).toMatchObject({ status: 'retained', statusReason: 'Aplikasi dipindah ke PDN' });
    const audit = await h.database.db.selectFrom('auditLog').select('action').where('targetId', '=', vmId).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['vm.decommission_requested', 'vm.retained']);
  });
});
