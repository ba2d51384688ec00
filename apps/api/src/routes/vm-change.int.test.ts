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
import { activeVmThroughApi } from '../testing/active-vm';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

/**
 * Changes of an active VM asked by the owning institution's staff: sizes and open ports through
 * the approval policy, now or from a maintenance window; hostile or pointless changes are 400s
 * with nothing written.
 */
describe('VM changes asked by the institution (POST /vms/:id/resize)', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let head: SignedIn;
  let operator: SignedIn;
  let outsider: SignedIn;
  let applicationId: string;
  let institutionId: string;
  let n = 0;

  const activeVm = (ports: number[] = [80]) => {
    n += 1;
    return activeVmThroughApi(
      { db: h.database.db, staff, operator, institutionId, applicationId },
      { hostname: `chg-${n}`, vmid: 101_000 + n, purpose: 'VM uji perubahan ukuran dan port', publicAccess: true, ports },
    );
  };
  const post = (who: SignedIn, path: string, body: object) => who.agent.post(path).set('X-CSRF-Token', who.csrfToken).send(body);

  /** Everything a change would write: runs, outbox rows, audit entries, and the request's sizes and ports. */
  async function footprint(requestId: string) {
    const { db } = h.database;
    const runs = await db
      .selectFrom('provisioningRuns')
      .select(['id', 'status'])
      .where('requestId', '=', requestId)
      .orderBy('createdAt')
      .execute();
    const outbox = await db.selectFrom('outbox').select('id').where('topic', '=', 'job').execute();
    const audit = await db.selectFrom('auditLog').select('id').execute();
    const request = await db
      .selectFrom('vpsRequests')
      .select(['cores', 'memoryMiB', 'diskGiB', 'ports'])
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    return { runs, outbox: outbox.length, audit: audit.length, request };
  }

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    await makeIpPool(db, { size: 60, octet: 151 });
    institutionId = (await makeInstitution(db)).id;
    applicationId = await makeApplication(db, institutionId);
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, institutionId, admin.id, { cores: 64, memoryMiB: 262_144, diskGiB: 5000, vmCount: 40 });
    await makeAgreementInForce(db, institutionId);
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email);
    head = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionHead], institutionId })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
    const other = await makeInstitution(db);
    outsider = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: other.id })).email);
  });
  afterAll(() => h.close());

  it('should let the owning institution ask to grow sizes and change ports, shown to operators as before → after, applied only after approval', async () => {
    const { vmId, requestId } = await activeVm([80]);
    const { db } = h.database;
    expect((await staff.agent.get(`/api/v1/vms/${vmId}`)).body.ports).toEqual([80]);
    const before = await db.selectFrom('vms').select(['cores', 'memoryMiB', 'diskGiB']).where('id', '=', vmId).executeTakeFirstOrThrow();
    const asked = await post(staff, `/api/v1/vms/${vmId}/resize`, {
      cores: before.cores + 1,
      diskGiB: before.diskGiB + 10,
      ports: [443, 80, 8080],
    });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: 'awaiting_approval', pendingLevel: { level: 1 } });
    // Nothing for the worker yet: the change waits for a decision.
    expect(await db.selectFrom('outbox').select('id').where('dedupKey', '=', `run:${asked.body.runId}`).execute()).toEqual([]);

    const queue = await operator.agent.get('/api/v1/operator/queue');
    const item = queue.body.pendingApprovals.find((p: { runId?: string }) => p.runId === asked.body.runId);
    expect(item).toMatchObject({
      kind: 'resize',
      requestId,
      change: {
        before: { cores: before.cores, memoryMiB: before.memoryMiB, diskGiB: before.diskGiB, ports: [80] },
        after: { cores: before.cores + 1, memoryMiB: before.memoryMiB, diskGiB: before.diskGiB + 10, ports: [80, 443, 8080] },
        applyAt: null,
      },
    });
    // The institution cannot approve its own change.
    expect((await post(head, `/api/v1/vps-requests/${requestId}/approve`, {})).status).toBe(403);
    const approved = await post(operator, `/api/v1/vps-requests/${requestId}/approve`, {});
    expect(approved.status).toBe(200);
    const run = await db
      .selectFrom('provisioningRuns')
      .select(['status', 'kind', 'params'])
      .where('id', '=', asked.body.runId)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({ status: 'queued', kind: 'resize', params: { ports: [80, 443, 8080], portsFrom: [80] } });
    const job = await db
      .selectFrom('outbox')
      .select(['payload', 'availableAt'])
      .where('dedupKey', '=', `run:${asked.body.runId}`)
      .executeTakeFirstOrThrow();
    expect(job.payload).toEqual({ name: 'vm.action', data: { runId: asked.body.runId } });
    expect(job.availableAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('should hold the job of a change scheduled for a maintenance window until the window starts', async () => {
    const { vmId, requestId } = await activeVm([80]);
    const window = new Date(Date.now() + 3 * 86_400_000);
    window.setUTCMilliseconds(0);
    const asked = await post(staff, `/api/v1/vms/${vmId}/resize`, { memoryMiB: 4096, applyAt: window.toISOString() });
    expect(asked.status).toBe(202);
    expect((await post(operator, `/api/v1/vps-requests/${requestId}/approve`, {})).status).toBe(200);
    const job = await h.database.db
      .selectFrom('outbox')
      .select('availableAt')
      .where('dedupKey', '=', `run:${asked.body.runId}`)
      .executeTakeFirstOrThrow();
    expect(job.availableAt.toISOString()).toBe(window.toISOString());
    const queue = await operator.agent.get('/api/v1/operator/queue');
    expect(queue.body.pendingApprovals.some((p: { runId?: string }) => p.runId === asked.body.runId)).toBe(false);
  });

  it('should answer 404 to another institution, exactly like a missing VM, and write nothing', async () => {
    const { vmId, requestId } = await activeVm();
    const was = await footprint(requestId);
    const foreign = await post(outsider, `/api/v1/vms/${vmId}/resize`, { cores: 2 });
    const missing = await post(outsider, '/api/v1/vms/00000000-0000-4000-8000-000000000000/resize', { cores: 2 });
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    const { requestId: _a, ...foreignError } = foreign.body.error as Record<string, unknown>;
    const { requestId: _b, ...missingError } = missing.body.error as Record<string, unknown>;
    expect(foreignError).toEqual(missingError);
    expect(await footprint(requestId)).toEqual(was);
  });

  it.each([
    ['a smaller disk', { diskGiB: 5 }, 'body.diskGiB'],
    ['fewer cores', { cores: 0 }, 'body.cores'],
    ['port 0', { ports: [0] }, 'body.ports.0'],
    ['port 65536', { ports: [80, 65536] }, 'body.ports.1'],
    ['a port on the deny list', { ports: [80, 445] }, 'body.ports.1'],
    ['the same port twice', { ports: [80, 443, 443] }, 'body.ports.2'],
    ['a fractional port', { ports: [80.5] }, 'body.ports.0'],
    ['ports as a string', { ports: '80,443' }, 'body.ports'],
    ['a start time in the past', { memoryMiB: 4096, applyAt: '2020-01-01T00:00:00Z' }, 'body.applyAt'],
    ['a start time too far ahead', { memoryMiB: 4096, applyAt: '2099-01-01T00:00:00Z' }, 'body.applyAt'],
    ['a start time that is not a time', { memoryMiB: 4096, applyAt: 'besok pagi' }, 'body.applyAt'],
    ['an unknown field', { cores: 2, node: 'pve2' }, 'body.node'],
    ['nothing that changes', { ports: [80] }, 'body'],
    ['an empty change', {}, 'body'],
  ])('should refuse %s with a 400 naming the field, bilingual, and write nothing', async (_what, body, path) => {
    const { vmId, requestId } = await activeVm([80]);
    const was = await footprint(requestId);
    const r = await post(staff, `/api/v1/vms/${vmId}/resize`, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    const details = (r.body.error.details ?? []) as Array<{ path: string; message: string }>;
    expect(details.map((d) => d.path)).toContain(path);
    expect(await footprint(requestId)).toEqual(was);
  });

  it('should refuse a shrink with a reason in Indonesian and English naming the dimension', async () => {
    const { vmId } = await activeVm();
    const r = await post(staff, `/api/v1/vms/${vmId}/resize`, { diskGiB: 10 });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/tidak dapat diperkecil|hanya dapat diperbesar/);
    expect(r.body.error.details).toEqual([
      expect.objectContaining({
        path: 'body.diskGiB',
        message: expect.stringMatching(/^Disk tidak dapat diperkecil [^/]*$/),
      }),
    ]);
  });

  it('should refuse a second change while one is pending, and a change of a VM that is not running or stopped', async () => {
    const { vmId } = await activeVm([80]);
    expect((await post(staff, `/api/v1/vms/${vmId}/resize`, { ports: [80, 443] })).status).toBe(202);
    const second = await post(staff, `/api/v1/vms/${vmId}/resize`, { ports: [80, 8443] });
    expect(second.status).toBe(409);
    const other = await activeVm();
    await h.database.db.updateTable('vms').set({ state: 'missing' }).where('id', '=', other.vmId).execute();
    expect((await post(staff, `/api/v1/vms/${other.vmId}/resize`, { cores: 2 })).status).toBe(409);
  });

  it('should refuse a deny-listed port on a new request too', async () => {
    const r = await staff.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({
        applicationId,
        hostname: 'chg-deny',
        templateId: 'debian-12',
        presetId: 'small',
        sshPublicKeys: [testSshKey()],
        purpose: 'VM uji daftar port terlarang',
        network: { publicAccess: true, ports: [80, 23] },
        contact: { name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'budi@kalteng.go.id' },
      });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([
      expect.objectContaining({
        path: 'body.network.ports.1',
        message: expect.stringMatching(/^Port 23 \(telnet\) tidak boleh dibuka [^/]*$/),
      }),
    ]);
  });
});
