import { DEFAULT_APPROVAL_POLICY, Role, type ApprovalPolicy } from '@betang/core';
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

describe('approval cannot be bypassed by one operator', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let operator: SignedIn;
  let operator2: SignedIn;
  let dcHead: SignedIn;
  let admin: SignedIn;
  let institutionId: string;
  let applicationId: string;
  let n = 0;

  const post = (who: SignedIn, path: string, body: object) => who.agent.post(path).set('X-CSRF-Token', who.csrfToken).send(body);
  const putPolicy = (who: SignedIn, policy: ApprovalPolicy) =>
    who.agent.put('/api/v1/settings/approval-policy').set('X-CSRF-Token', who.csrfToken).send(policy);
  const submit = (resources: { cores: number; memoryMiB: number; diskGiB: number }) =>
    post(staff, '/api/v1/vps-requests', {
      applicationId,
      hostname: `appr-${(n += 1)}`,
      templateId: 'debian-12',
      resources,
      sshPublicKeys: [testSshKey()],
      purpose: 'Uji jalur persetujuan',
      network: { publicAccess: false, ports: [] },
      contact: { name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'budi@kalteng.go.id' },
    });

  /** An active request with a running VM of `cores` vCPU, as the worker leaves it. */
  async function liveVm(cores: number): Promise<{ vmId: string; requestId: string }> {
    const { db } = h.database;
    const name = `live-${(n += 1)}`;
    const owner = await db.selectFrom('users').select('id').where('institutionId', '=', institutionId).executeTakeFirstOrThrow();
    const request = await db
      .insertInto('vpsRequests')
      .values({
        institutionId,
        applicationId,
        requestedBy: owner.id,
        hostname: name,
        templateId: 'debian-12',
        cores,
        memoryMiB: 4096,
        diskGiB: 40,
        sshPublicKeys: [testSshKey()],
        purpose: 'VM yang sudah berjalan',
        contact: JSON.stringify({ name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'budi@kalteng.go.id' }),
        status: 'active',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const vm = await db
      .insertInto('vms')
      .values({
        requestId: request.id,
        institutionId,
        vmid: 200_000 + n,
        node: 'pve1',
        name,
        cores,
        memoryMiB: 4096,
        diskGiB: 40,
        state: 'running',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { vmId: vm.id, requestId: request.id };
  }

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    await makeIpPool(db, { size: 30, octet: 160 });
    institutionId = (await makeInstitution(db)).id;
    applicationId = await makeApplication(db, institutionId);
    const adminUser = await makeUser(db, { roles: [Role.Admin] });
    // The quota would allow much more than the agreement the institution signed: the ceiling must still hold.
    await makeQuota(db, institutionId, adminUser.id, { cores: 64, memoryMiB: 262_144, diskGiB: 4000, vmCount: 30 });
    await makeAgreementInForce(db, institutionId, { cores: 32, memoryMiB: 262_144, diskGiB: 4000, vmCount: 30, ipCount: 30 });
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    operator2 = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    dcHead = await signInAs(h.app, (await makeUser(db, { roles: [Role.DcHead] })).email);
    admin = await signInAs(h.app, adminUser.email);
  });
  afterEach(async () => {
    await putPolicy(admin, DEFAULT_APPROVAL_POLICY).expect(200);
  });
  afterAll(() => h.close());

  it('should refuse an operator who removes level 2 and then approves an 8 vCPU/16 GiB/200 GiB request alone', async () => {
    const onlyOperators: ApprovalPolicy = { ...DEFAULT_APPROVAL_POLICY, levels: [DEFAULT_APPROVAL_POLICY.levels[0]!] };
    const rewrite = await putPolicy(operator, onlyOperators);
    expect(rewrite.status).toBe(403);
    expect((await operator.agent.get('/api/v1/settings/approval-policy')).body.levels).toHaveLength(2);

    const big = await submit({ cores: 8, memoryMiB: 16_384, diskGiB: 200 });
    expect(big.status).toBe(201);
    const first = await post(operator, `/api/v1/vps-requests/${big.body.id}/approve`, {});
    expect(first.body).toMatchObject({ status: 'partially_approved', pendingLevel: { level: 2, roles: ['dc_head'] } });
    expect((await post(operator, `/api/v1/vps-requests/${big.body.id}/approve`, {})).status).toBe(403);
    expect((await post(operator2, `/api/v1/vps-requests/${big.body.id}/approve`, {})).status).toBe(403);
    const head = await post(dcHead, `/api/v1/vps-requests/${big.body.id}/approve`, {});
    expect(head.body.status).toBe('queued');
  });

  it('should let an admin change the policy and move a partially approved request on in the same transaction', async () => {
    const big = await submit({ cores: 8, memoryMiB: 16_384, diskGiB: 200 });
    await post(operator, `/api/v1/vps-requests/${big.body.id}/approve`, {}).expect(200);
    const onlyOperators: ApprovalPolicy = { ...DEFAULT_APPROVAL_POLICY, levels: [DEFAULT_APPROVAL_POLICY.levels[0]!] };
    expect((await putPolicy(admin, onlyOperators)).status).toBe(200);

    const after = await staff.agent.get(`/api/v1/vps-requests/${big.body.id}`);
    expect(after.body).toMatchObject({ status: 'queued', pendingLevel: null, run: { kind: 'provision', status: 'queued' } });
    const audit = await h.database.db
      .selectFrom('auditLog')
      .select(['action', 'after'])
      .where('targetId', '=', big.body.id)
      .where('action', '=', 'approval.reevaluated')
      .executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ outcome: 'approved' });
  });

  it('should make a waiting request wait at the level the new policy gives it', async () => {
    const small = await submit({ cores: 1, memoryMiB: 2048, diskGiB: 20 });
    const reordered: ApprovalPolicy = {
      autoApproveUpTo: null,
      levels: [
        { level: 1, name: { id: 'Kepala', en: 'Head' }, roles: [Role.DcHead], mode: 'any' },
        { level: 2, name: { id: 'Operator', en: 'Operator' }, roles: [Role.Operator], mode: 'any' },
      ],
    };
    const withHead: ApprovalPolicy = {
      ...reordered,
      levels: [
        { ...reordered.levels[1]!, level: 1 },
        { ...reordered.levels[0]!, level: 2 },
      ],
    };
    await putPolicy(admin, withHead).expect(200);
    await post(operator, `/api/v1/vps-requests/${small.body.id}/approve`, {}).expect(200);
    // Level 1 now belongs to the data-center head: the operator's earlier approval does not stand in for it.
    await putPolicy(admin, reordered).expect(200);
    const waiting = await staff.agent.get(`/api/v1/vps-requests/${small.body.id}`);
    expect(waiting.body).toMatchObject({ status: 'partially_approved', pendingLevel: { level: 1, roles: ['dc_head'] } });
    const head = await post(dcHead, `/api/v1/vps-requests/${small.body.id}/approve`, {});
    expect(head.body).toMatchObject({ status: 'partially_approved', pendingLevel: { level: 2 } });
    expect((await post(operator2, `/api/v1/vps-requests/${small.body.id}/approve`, {})).body.status).toBe('queued');
  });

  it('should refuse a resize that grows the institution beyond the signed ceiling (48 vCPU against 32)', async () => {
    const { db } = h.database;
    await db.updateTable('vpsRequests').set({ status: 'cancelled' }).where('institutionId', '=', institutionId).execute();
    for (let i = 0; i < 3; i += 1) await liveVm(8);
    const { vmId, requestId } = await liveVm(4);
    // 28 vCPU in use against a ceiling of 32: growing one VM from 4 to 8 vCPU is fine, to 24 is not.
    const beyond = await post(operator, `/api/v1/vms/${vmId}/resize`, { cores: 24 });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.cores']);
    // With wider custom-size bounds, the agreement's ceiling is what refuses it.
    await db
      .insertInto('settings')
      .values({
        key: 'custom_size_bounds',
        value: JSON.stringify({
          allowCustom: true,
          min: { cores: 1, memoryMiB: 1024, diskGiB: 20 },
          max: { cores: 32, memoryMiB: 65_536, diskGiB: 1000 },
        }),
      })
      .execute();
    const overCeiling = await post(operator, `/api/v1/vms/${vmId}/resize`, { cores: 24 });
    expect(overCeiling.status).toBe(422);
    expect(overCeiling.body.error.code).toBe('NO_AGREEMENT_IN_FORCE');
    expect(overCeiling.body.error.details.shortfalls).toEqual([{ dimension: 'cores', ceiling: 32, usageAfter: 48 }]);
    const request = await db.selectFrom('vpsRequests').select('cores').where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(request.cores).toBe(4);
    expect(await db.selectFrom('provisioningRuns').select('id').where('requestId', '=', requestId).execute()).toEqual([]);
    await db.deleteFrom('settings').where('key', '=', 'custom_size_bounds').execute();
  });

  it('should send a resize through every approval level before the worker gets it', async () => {
    const { db } = h.database;
    await db.updateTable('vpsRequests').set({ status: 'cancelled' }).where('institutionId', '=', institutionId).execute();
    const { vmId, requestId } = await liveVm(4);
    const asked = await post(operator, `/api/v1/vms/${vmId}/resize`, { cores: 8, diskGiB: 200 });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: 'awaiting_approval', pendingLevel: { level: 1 } });
    const runId: string = asked.body.runId;
    expect(await db.selectFrom('outbox').select('id').where('dedupKey', '=', `run:${runId}`).execute()).toEqual([]);

    const queue = await operator2.agent.get('/api/v1/operator/queue');
    expect(queue.body.pendingApprovals).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'resize', runId, requestId, status: 'awaiting_approval' })]),
    );

    // Whoever asked for the change cannot approve it; the next level is the data-center head's.
    expect((await post(operator, `/api/v1/vps-requests/${requestId}/approve`, {})).status).toBe(403);
    const level1 = await post(operator2, `/api/v1/vps-requests/${requestId}/approve`, {});
    expect(level1.body).toMatchObject({ status: 'active', pendingLevel: { level: 2 }, run: { id: runId, status: 'awaiting_approval' } });
    expect(await db.selectFrom('outbox').select('id').where('dedupKey', '=', `run:${runId}`).execute()).toEqual([]);
    const level2 = await post(dcHead, `/api/v1/vps-requests/${requestId}/approve`, {});
    expect(level2.body).toMatchObject({ status: 'active', pendingLevel: null, run: { id: runId, kind: 'resize', status: 'queued' } });
    const job = await db.selectFrom('outbox').select('payload').where('dedupKey', '=', `run:${runId}`).executeTakeFirstOrThrow();
    expect(job.payload).toEqual({ name: 'vm.action', data: { runId } });
    const run = await db.selectFrom('provisioningRuns').select('params').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(run.params).toMatchObject({ cores: 8, memoryMiB: 4096, diskGiB: 200 });
  });

  it('should give the reserved growth back when a resize is rejected', async () => {
    const { db } = h.database;
    const { vmId, requestId } = await liveVm(2);
    const asked = await post(operator, `/api/v1/vms/${vmId}/resize`, { cores: 4 });
    expect((await db.selectFrom('vpsRequests').select('cores').where('id', '=', requestId).executeTakeFirstOrThrow()).cores).toBe(4);
    const rejected = await post(operator2, `/api/v1/vps-requests/${requestId}/reject`, { reason: 'Belum perlu diperbesar' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'active', resources: { cores: 2 }, run: { id: asked.body.runId, status: 'cancelled' } });
  });

  it('should keep a resize pending while a power action runs, and let whoever asked withdraw it but not approve it', async () => {
    const { vmId, requestId } = await liveVm(2);
    const asked = await post(operator, `/api/v1/vms/${vmId}/resize`, { cores: 8 });
    expect(asked.body.status).toBe('awaiting_approval');
    await post(operator2, `/api/v1/vps-requests/${requestId}/approve`, {}).expect(200);
    expect((await post(staff, `/api/v1/vms/${vmId}/actions`, { action: 'reboot' })).status).toBe(202);
    const waiting = await dcHead.agent.get(`/api/v1/vps-requests/${requestId}`);
    expect(waiting.body).toMatchObject({ pendingLevel: { level: 2 }, run: { kind: 'reboot' } });
    expect((await post(operator, `/api/v1/vps-requests/${requestId}/approve`, {})).status).toBe(403);
    const withdrawn = await post(operator, `/api/v1/vps-requests/${requestId}/reject`, { reason: 'Salah VM, dibatalkan' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'active', resources: { cores: 2 }, pendingLevel: null });
    const change = await h.database.db
      .selectFrom('provisioningRuns')
      .select(['status', 'errorCode', 'errorMessage'])
      .where('id', '=', asked.body.runId)
      .executeTakeFirstOrThrow();
    expect(change).toEqual({ status: 'cancelled', errorCode: 'CHANGE_REJECTED', errorMessage: 'Salah VM, dibatalkan' });
  });

  it('should end a pending resize when the VM is decommissioned, giving the reservation back', async () => {
    const { vmId, requestId } = await liveVm(2);
    const asked = await post(operator, `/api/v1/vms/${vmId}/resize`, { cores: 4 });
    const { db } = h.database;
    const { name } = await db.selectFrom('vms').select('name').where('id', '=', vmId).executeTakeFirstOrThrow();
    expect(
      (await post(staff, `/api/v1/vms/${vmId}/decommission`, { reason: 'Aplikasi dipindah ke PDN', confirmHostname: name })).status,
    ).toBe(202);
    expect(
      await db.selectFrom('provisioningRuns').select(['status', 'errorCode']).where('id', '=', asked.body.runId).executeTakeFirstOrThrow(),
    ).toEqual({ status: 'cancelled', errorCode: 'CHANGE_CANCELLED' });
    expect((await db.selectFrom('vpsRequests').select('cores').where('id', '=', requestId).executeTakeFirstOrThrow()).cores).toBe(2);
  });

  it('should defer, not refuse, a policy change that approves a request which cannot be queued yet; the next approve queues it', async () => {
    const { db } = h.database;
    const big = await submit({ cores: 8, memoryMiB: 16_384, diskGiB: 200 });
    await post(operator, `/api/v1/vps-requests/${big.body.id}/approve`, {}).expect(200);
    const elsewhere = await makeInstitution(db);
    await db.updateTable('ipPools').set({ institutionId: elsewhere.id }).execute();
    await putPolicy(admin, { ...DEFAULT_APPROVAL_POLICY, levels: [DEFAULT_APPROVAL_POLICY.levels[0]!] }).expect(200);
    const waiting = await staff.agent.get(`/api/v1/vps-requests/${big.body.id}`);
    expect(waiting.body).toMatchObject({ status: 'partially_approved', pendingLevel: null, run: null });
    const audit = await db
      .selectFrom('auditLog')
      .select('after')
      .where('targetId', '=', big.body.id)
      .where('action', '=', 'approval.reevaluated')
      .executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ outcome: 'deferred' });
    await db.updateTable('ipPools').set({ institutionId: null }).execute();
    expect((await post(operator2, `/api/v1/vps-requests/${big.body.id}/approve`, {})).body.status).toBe('queued');
  });
});
