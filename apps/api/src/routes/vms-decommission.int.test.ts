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

/**
 * Safe decommission over HTTP: the typed host name, the institution head's approval for
 * protected classes, the grace period (retained, restorable) and the refusal to restore a VM
 * whose grace period ended.
 */
describe('VM decommission: confirmation, head approval, grace period and restore', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let staff2: SignedIn;
  let head: SignedIn;
  let headEmail: string;
  let operator: SignedIn;
  let admin: SignedIn;
  let outsider: SignedIn;
  let outsiderHead: SignedIn;
  let institutionId: string;
  let ordinaryApp: string;
  let strategicApp: string;
  let n = 0;

  /** A VM running for a request of `applicationId`, as the worker leaves it after provisioning. */
  async function runningVm(
    applicationId: string,
    state: 'running' | 'stopped' | 'missing' = 'running',
  ): Promise<{ vmId: string; requestId: string; hostname: string }> {
    const { db } = h.database;
    const hostname = `dec-${(n += 1)}`;
    const owner = await db.selectFrom('users').select('id').where('institutionId', '=', institutionId).executeTakeFirstOrThrow();
    const request = await db
      .insertInto('vpsRequests')
      .values({
        institutionId,
        applicationId,
        requestedBy: owner.id,
        hostname,
        templateId: 'debian-12',
        cores: 1,
        memoryMiB: 2048,
        diskGiB: 20,
        sshPublicKeys: [testSshKey()],
        purpose: 'VM uji penghapusan aman',
        contact: JSON.stringify({ name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'pic@kalteng.go.id' }),
        status: state === 'stopped' ? 'stopped' : 'active',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const vm = await db
      .insertInto('vms')
      .values({
        requestId: request.id,
        institutionId,
        vmid: 300_000 + n,
        node: 'pve1',
        name: hostname,
        cores: 1,
        memoryMiB: 2048,
        diskGiB: 20,
        state,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { vmId: vm.id, requestId: request.id, hostname };
  }
  const post = (who: SignedIn, path: string, body: object) =>
    who.agent.post(`/api/v1${path}`).set('X-CSRF-Token', who.csrfToken).send(body);
  const vmRow = (id: string) =>
    h.database.db.selectFrom('vms').select(['state', 'retainedUntil']).where('id', '=', id).executeTakeFirstOrThrow();
  const requestStatus = async (id: string) =>
    (await h.database.db.selectFrom('vpsRequests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
  const runsOf = (requestId: string) =>
    h.database.db
      .selectFrom('provisioningRuns')
      .select(['id', 'kind', 'status'])
      .where('requestId', '=', requestId)
      .orderBy('createdAt')
      .execute();
  const REASON = 'Aplikasi dipindah ke PDN';

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    await makeIpPool(db, { size: 20, octet: 170 });
    institutionId = (await makeInstitution(db)).id;
    ordinaryApp = await makeApplication(db, institutionId);
    strategicApp = await makeApplication(db, institutionId, 'SIMPUS Strategis');
    await db.updateTable('applications').set({ dataClassification: 'strategis' }).where('id', '=', strategicApp).execute();
    const adminUser = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, institutionId, adminUser.id, { cores: 16, memoryMiB: 65_536, diskGiB: 1000, vmCount: 30 });
    await makeAgreementInForce(db, institutionId);
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email);
    staff2 = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email);
    headEmail = (await makeUser(db, { roles: [Role.InstitutionHead], institutionId })).email;
    head = await signInAs(h.app, headEmail);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    admin = await signInAs(h.app, adminUser.email);
    const other = await makeInstitution(db);
    outsider = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: other.id })).email);
    outsiderHead = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionHead], institutionId: other.id })).email);
  });
  afterAll(() => h.close());

  it('should refuse without the exact host name, in the caller’s language, writing nothing', async () => {
    const { vmId, requestId, hostname } = await runningVm(ordinaryApp);
    const missing = await post(staff, `/vms/${vmId}/decommission`, { reason: REASON });
    expect(missing.status).toBe(400);
    for (const wrong of [`${hostname}x`, hostname.toUpperCase(), '', 'dec-']) {
      const r = await post(staff, `/vms/${vmId}/decommission`, { reason: REASON, confirmHostname: wrong });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(r.body.error)).toContain('body.confirmHostname');
      expect(JSON.stringify(r.body.error)).toMatch(/Ketik nama host/);
    }
    const inEnglish = await staff.agent
      .post(`/api/v1/vms/${vmId}/decommission`)
      .set('X-CSRF-Token', staff.csrfToken)
      .set('Accept-Language', 'en')
      .send({ reason: REASON, confirmHostname: 'dec-' });
    expect(JSON.stringify(inEnglish.body.error)).toMatch(/Type the VM's host name/);
    expect(await vmRow(vmId)).toEqual({ state: 'running', retainedUntil: null });
    expect(await requestStatus(requestId)).toBe('active');
    expect(await runsOf(requestId)).toEqual([]);
  });

  it('should retain the VM for the grace period with a stop run, show it, and let the owner restore it', async () => {
    const { vmId, requestId, hostname } = await runningVm(ordinaryApp);
    const before = Date.now();
    const r = await post(staff, `/vms/${vmId}/decommission`, { reason: REASON, confirmHostname: ` ${hostname} ` });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'retained', runId: expect.any(String), decommissionId: expect.any(String) });
    const until = Date.parse(r.body.retainedUntil);
    expect(until - before).toBeGreaterThanOrEqual(7 * 86_400_000 - 1000);
    expect(until - before).toBeLessThan(7 * 86_400_000 + 60_000);
    expect((await vmRow(vmId)).state).toBe('retained');
    expect(await requestStatus(requestId)).toBe('retained');
    expect(await runsOf(requestId)).toEqual([{ id: r.body.runId, kind: 'stop', status: 'queued' }]);
    const job = await h.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('dedupKey', '=', `run:${r.body.runId}`)
      .executeTakeFirstOrThrow();
    expect(job.payload).toEqual({ name: 'vm.action', data: { runId: r.body.runId } });
    const shown = await staff.agent.get(`/api/v1/vms/${vmId}`);
    expect(shown.body).toMatchObject({ state: 'retained', retainedUntil: r.body.retainedUntil, pendingDecommission: null });
    // Power actions and a second decommission no longer apply.
    expect((await post(staff, `/vms/${vmId}/actions`, { action: 'start' })).status).toBe(409);
    expect((await post(staff, `/vms/${vmId}/decommission`, { reason: REASON, confirmHostname: hostname })).status).toBe(409);

    // Restore waits for the stop to finish (one live run per request).
    expect((await post(staff, `/vms/${vmId}/restore`, {})).status).toBe(409);
    await h.database.db
      .updateTable('provisioningRuns')
      .set({ status: 'succeeded', finishedAt: new Date(), progress: 100 })
      .where('id', '=', r.body.runId)
      .execute();
    expect((await post(outsider, `/vms/${vmId}/restore`, {})).status).toBe(404);
    const restored = await post(staff2, `/vms/${vmId}/restore`, {});
    expect(restored.status).toBe(202);
    expect(await vmRow(vmId)).toEqual({ state: 'stopped', retainedUntil: null });
    expect(await requestStatus(requestId)).toBe('stopped');
    const runs = await runsOf(requestId);
    expect(runs.at(-1)).toEqual({ id: restored.body.runId, kind: 'start', status: 'queued' });
    const audit = await h.database.db.selectFrom('auditLog').select('action').where('targetId', '=', vmId).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['vm.decommission_requested', 'vm.retained', 'vm.restored']);
    // Restoring twice: the VM is no longer retained.
    expect((await post(staff, `/vms/${vmId}/restore`, {})).status).toBe(409);
  });

  it('should refuse to restore once the grace period ended and the VM is being or has been destroyed', async () => {
    for (const state of ['decommissioning', 'decommissioned'] as const) {
      const { vmId, hostname } = await runningVm(ordinaryApp, 'stopped');
      const r = await post(operator, `/vms/${vmId}/decommission`, { reason: REASON, confirmHostname: hostname });
      expect(r.status).toBe(202);
      await h.database.db
        .updateTable('provisioningRuns')
        .set({ status: 'succeeded', finishedAt: new Date() })
        .where('id', '=', r.body.runId)
        .execute();
      await h.database.db.updateTable('vms').set({ state }).where('id', '=', vmId).execute();
      const refused = await post(staff, `/vms/${vmId}/restore`, {});
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(/tidak dapat dipulihkan/);
      expect((await vmRow(vmId)).state).toBe(state);
    }
  });

  it('should retain a VM missing from the cluster without a stop run', async () => {
    const { vmId, requestId, hostname } = await runningVm(ordinaryApp, 'missing');
    const r = await post(operator, `/vms/${vmId}/decommission`, { reason: REASON, confirmHostname: hostname });
    expect(r.body).toMatchObject({ status: 'retained', runId: null });
    expect((await vmRow(vmId)).state).toBe('retained');
    expect(await runsOf(requestId)).toEqual([]);
  });

  it('should make staff wait for the head on a strategis application, and let operators and the head decommission directly', async () => {
    const { vmId, requestId, hostname } = await runningVm(strategicApp);
    const asked = await post(staff, `/vms/${vmId}/decommission`, { reason: REASON, confirmHostname: hostname });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: 'awaiting_approval', runId: null, retainedUntil: null });
    expect((await vmRow(vmId)).state).toBe('running');
    expect(await runsOf(requestId)).toEqual([]);
    const mail = await h.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('dedupKey', '=', `decommission-approval:${asked.body.decommissionId}`)
      .executeTakeFirstOrThrow();
    expect((mail.payload as { to: string[] }).to).toEqual([headEmail]);
    const shown = await staff.agent.get(`/api/v1/vms/${vmId}`);
    expect(shown.body.pendingDecommission).toMatchObject({ id: asked.body.decommissionId, reason: REASON });
    // One pending decommission per VM; staff cannot approve; another institution's head gets 404.
    expect((await post(staff2, `/vms/${vmId}/decommission`, { reason: REASON, confirmHostname: hostname })).status).toBe(409);
    expect((await post(staff2, `/vms/${vmId}/decommission/approve`, {})).status).toBe(403);
    expect((await post(staff, `/vms/${vmId}/decommission/approve`, {})).status).toBe(403);
    expect((await post(outsiderHead, `/vms/${vmId}/decommission/approve`, {})).status).toBe(404);
    expect((await post(operator, `/vms/${vmId}/decommission/approve`, {})).status).toBe(403);
    expect((await vmRow(vmId)).state).toBe('running');

    const approved = await post(head, `/vms/${vmId}/decommission/approve`, { note: 'Disetujui' });
    expect(approved.status).toBe(202);
    expect(approved.body).toMatchObject({ status: 'retained', decommissionId: asked.body.decommissionId, runId: expect.any(String) });
    expect((await vmRow(vmId)).state).toBe('retained');
    expect((await post(head, `/vms/${vmId}/decommission/approve`, {})).status).toBe(409);

    // Operators and the head themselves decommission a strategis VM at once.
    for (const who of [operator, admin, head]) {
      const other = await runningVm(strategicApp);
      const direct = await post(who, `/vms/${other.vmId}/decommission`, { reason: REASON, confirmHostname: other.hostname });
      expect(direct.body.status).toBe('retained');
    }
  });

  it('should let the head reject and the requester withdraw, leaving the VM as it was', async () => {
    const { vmId, hostname } = await runningVm(strategicApp);
    await post(staff, `/vms/${vmId}/decommission`, { reason: REASON, confirmHostname: hostname }).expect(202);
    expect((await post(staff2, `/vms/${vmId}/decommission/reject`, {})).status).toBe(403);
    expect((await post(head, `/vms/${vmId}/decommission/reject`, { note: 'Masih dipakai' })).status).toBe(202);
    expect((await vmRow(vmId)).state).toBe('running');
    expect((await post(head, `/vms/${vmId}/decommission/approve`, {})).status).toBe(409);
    await post(staff, `/vms/${vmId}/decommission`, { reason: REASON, confirmHostname: hostname }).expect(202);
    expect((await post(staff, `/vms/${vmId}/decommission/reject`, {})).status).toBe(202);
    const rows = await h.database.db
      .selectFrom('vmDecommissions')
      .select(['status', 'decisionNote'])
      .where('vmId', '=', vmId)
      .orderBy('createdAt')
      .execute();
    expect(rows).toEqual([
      { status: 'rejected', decisionNote: 'Masih dipakai' },
      { status: 'rejected', decisionNote: null },
    ]);
  });

  it('should follow the decommission policy an admin sets (classes and grace days), and keep it admin-only', async () => {
    const policy = { graceDays: 3, headApprovalClasses: ['rendah'], reminderHours: 12 };
    expect(
      (await operator.agent.put('/api/v1/settings/decommission-policy').set('X-CSRF-Token', operator.csrfToken).send(policy)).status,
    ).toBe(403);
    expect(
      (
        await admin.agent
          .put('/api/v1/settings/decommission-policy')
          .set('X-CSRF-Token', admin.csrfToken)
          .send({ ...policy, graceDays: 0 })
      ).status,
    ).toBe(400);
    expect((await admin.agent.put('/api/v1/settings/decommission-policy').set('X-CSRF-Token', admin.csrfToken).send(policy)).status).toBe(
      200,
    );
    expect((await staff.agent.get('/api/v1/settings/decommission-policy')).body).toEqual(policy);
    try {
      const ordinary = await runningVm(ordinaryApp);
      expect(
        (await post(staff, `/vms/${ordinary.vmId}/decommission`, { reason: REASON, confirmHostname: ordinary.hostname })).body.status,
      ).toBe('awaiting_approval');
      const strategic = await runningVm(strategicApp);
      const before = Date.now();
      const r = await post(staff, `/vms/${strategic.vmId}/decommission`, { reason: REASON, confirmHostname: strategic.hostname });
      expect(r.body.status).toBe('retained');
      expect(Date.parse(r.body.retainedUntil) - before).toBeLessThan(3 * 86_400_000 + 60_000);
    } finally {
      await h.database.db.deleteFrom('settings').where('key', '=', 'decommission_policy').execute();
    }
  });

  it('should answer 404 to another institution for every decommission route, exactly like a missing VM', async () => {
    const { vmId, hostname } = await runningVm(ordinaryApp);
    for (const path of [
      `/vms/${vmId}/decommission`,
      `/vms/${vmId}/decommission/approve`,
      `/vms/${vmId}/decommission/reject`,
      `/vms/${vmId}/restore`,
    ]) {
      const r = await post(outsiderHead, path, path.endsWith('/decommission') ? { reason: REASON, confirmHostname: hostname } : {});
      expect(r.status).toBe(404);
      expect(JSON.stringify(r.body)).not.toContain(hostname);
    }
    expect((await vmRow(vmId)).state).toBe('running');
  });
  it('should let an operator retry a destroy run that failed, with the same VM and reason, once', async () => {
    const { db } = h.database;
    const { vmId, requestId } = await runningVm(ordinaryApp);
    // What the worker leaves after a destroy that failed for good: the VM still on the cluster
    // (decommissioning), the run failed, the request failed with the reason.
    await db.updateTable('vms').set({ state: 'decommissioning' }).where('id', '=', vmId).execute();
    await db
      .updateTable('vpsRequests')
      .set({ status: 'failed', statusReason: 'PVE tidak terjangkau' })
      .where('id', '=', requestId)
      .execute();
    const failed = await db
      .insertInto('provisioningRuns')
      .values({
        requestId,
        vmId,
        kind: 'decommission',
        status: 'failed',
        params: JSON.stringify({ reason: REASON }),
        errorCode: 'PVE_UNREACHABLE',
        errorMessage: 'PVE tidak terjangkau',
        errorRetryable: true,
        finishedAt: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    expect((await post(staff, `/vps-requests/${requestId}/retry`, {})).status).toBe(403);
    const retried = await post(operator, `/vps-requests/${requestId}/retry`, {});
    expect(retried.status).toBe(200);
    const runs = await runsOf(requestId);
    expect(runs.map((r) => [r.kind, r.status])).toEqual([
      ['decommission', 'failed'],
      ['decommission', 'queued'],
    ]);
    const again = await db
      .selectFrom('provisioningRuns')
      .select(['vmId', 'params'])
      .where('id', '=', runs[1]!.id)
      .executeTakeFirstOrThrow();
    expect(again).toEqual({ vmId, params: { reason: REASON } });
    const job = await db.selectFrom('outbox').select('payload').where('dedupKey', '=', `run:${runs[1]!.id}`).executeTakeFirst();
    expect(job).toBeDefined();
    // the new run is live: a second click finds no failed run to retry
    expect((await post(operator, `/vps-requests/${requestId}/retry`, {})).status).toBe(409);
    expect(await runsOf(requestId)).toHaveLength(2);
    expect(failed.id).toBe(runs[0]!.id);
  });
});
