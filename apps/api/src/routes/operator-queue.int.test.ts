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

describe('operator queue and retry', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let operator: SignedIn;
  let applicationId: string;

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    await makeIpPool(db, { size: 10, octet: 130 });
    const inst = await makeInstitution(db);
    applicationId = await makeApplication(db, inst.id);
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, inst.id, admin.id);
    await makeAgreementInForce(db, inst.id);
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: inst.id })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
  });
  afterAll(() => h.close());

  const submit = async (hostname: string) =>
    (
      await staff.agent
        .post('/api/v1/vps-requests')
        .set('X-CSRF-Token', staff.csrfToken)
        .send({
          applicationId,
          hostname,
          templateId: 'debian-12',
          presetId: 'small',
          sshPublicKeys: [testSshKey()],
          purpose: 'Server uji antrean operator',
          network: { publicAccess: false, ports: [] },
          contact: { name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'budi@kalteng.go.id' },
        })
    ).body as { id: string };
  const post = (path: string, body: object = {}) => operator.agent.post(path).set('X-CSRF-Token', operator.csrfToken).send(body);

  it('should list pending approvals oldest first against the service standard, and failed runs with a working retry', async () => {
    const { db } = h.database;
    const old = await submit('lama-01');
    const fresh = await submit('baru-01');
    await db
      .updateTable('vpsRequests')
      .set({ createdAt: new Date(Date.now() - 48 * 3_600_000) })
      .where('id', '=', old.id)
      .execute();
    const failing = await submit('gagal-01');
    const approved = (await post(`/api/v1/vps-requests/${failing.id}/approve`)).body;
    // What the worker does on a permanent failure: run failed with a reason, request failed, address released.
    await db
      .updateTable('provisioningRuns')
      .set({
        status: 'failed',
        errorCode: 'PVE_NODE_OFFLINE',
        errorMessage: 'Node pve2 tidak dapat dihubungi',
        errorRetryable: true,
        finishedAt: new Date(),
      })
      .where('id', '=', approved.run.id)
      .execute();
    await db.updateTable('vpsRequests').set({ status: 'failed', statusReason: 'node offline' }).where('id', '=', failing.id).execute();
    await db
      .updateTable('ipAllocations')
      .set({ releasedAt: new Date(), releaseReason: 'failure cleanup' })
      .where('requestId', '=', failing.id)
      .execute();

    const queue = (await operator.agent.get('/api/v1/operator/queue')).body;
    expect(queue.pendingApprovals.map((p: { hostname: string }) => p.hostname)).toEqual(['lama-01', 'baru-01']);
    expect(queue.pendingApprovals[0]).toMatchObject({ overdue: true, targetMinutes: 24 * 60 });
    expect(queue.pendingApprovals[1]).toMatchObject({ overdue: false, requestId: fresh.id });
    expect(queue.failed).toEqual([expect.objectContaining({ hostname: 'gagal-01', errorCode: 'PVE_NODE_OFFLINE', retryable: true })]);
    expect((await staff.agent.get('/api/v1/operator/queue')).status).toBe(403);

    const retried = await post(`/api/v1/vps-requests/${failing.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('queued');
    expect(retried.body.run.id).not.toBe(approved.run.id);
    expect(retried.body.ipAddress).toMatch(/^10\.130\.0\./);
    const jobs = await db
      .selectFrom('outbox')
      .select('dedupKey')
      .where('topic', '=', 'job')
      .where('dedupKey', 'in', [`run:${approved.run.id}`, `run:${retried.body.run.id}`])
      .execute();
    expect(jobs).toHaveLength(2);
    expect((await post(`/api/v1/vps-requests/${failing.id}/retry`)).status).toBe(409);
    const after = (await operator.agent.get('/api/v1/operator/queue')).body;
    expect(after.failed).toEqual([]);
    expect(after.running.map((r: { hostname: string }) => r.hostname)).toEqual(['gagal-01']);
  });
});
