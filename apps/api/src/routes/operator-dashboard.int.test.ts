import { Role } from '@betang/core';
import { insertRun, replaceClusterSnapshot, upsertFinding } from '@betang/db';
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
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { loginCookie, openSse } from '../testing/sse-client';

const GIB = 1024 ** 3;
const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);

/** GET /operator/dashboard: each count is the size of the list it links to, and capacity comes from the snapshot. */
describe('operator dashboard counts', () => {
  let h: ApiHarness;
  let institutionId: string;
  let applicationId: string;
  let staff: SignedIn;
  let operator: SignedIn;
  let operatorEmail: string;
  let staffEmail: string;
  let n = 0;

  const submit = async () => {
    const res = await staff.agent
      .post('/api/v1/vps-requests')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({
        applicationId,
        hostname: `dash-${(n += 1)}`,
        templateId: 'debian-12',
        presetId: 'small',
        sshPublicKeys: [testSshKey()],
        purpose: 'Server aplikasi untuk layanan publik',
        network: { publicAccess: false, ports: [443] },
        contact: { name: 'Budi Santoso', nip: '198501012010011001', phone: '+62 812-5555-0101', email: 'budi@kalteng.go.id' },
      });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const dashboard = async (who: SignedIn = operator) => {
    const res = await who.agent.get('/api/v1/operator/dashboard');
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    await makeCatalog(db);
    await makeIpPool(db, { size: 40, octet: 133 });
    institutionId = (await makeInstitution(db)).id;
    applicationId = await makeApplication(db, institutionId);
    const admin = await makeUser(db, { roles: [Role.Admin] });
    await makeQuota(db, institutionId, admin.id, { cores: 40, memoryMiB: 100_000, diskGiB: 2000, vmCount: 20 });
    // Far from its end, so only the agreements the test makes count as expiring.
    const year = new Date().getUTCFullYear();
    await makeAgreementInForce(db, institutionId, undefined, { start: `${year}-01-01`, end: `${year + 2}-12-31` });
    staffEmail = (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).email;
    staff = await signInAs(h.app, staffEmail);
    operatorEmail = (await makeUser(db, { roles: [Role.Operator] })).email;
    operator = await signInAs(h.app, operatorEmail);
  });
  afterAll(() => h.close());

  it('should count nothing on an empty data center and refuse institution staff', async () => {
    const empty = await dashboard();
    expect(empty).toMatchObject({
      approvals: { waiting: 0, overdue: 0 },
      provisioning: { running: 0 },
      failed: { needingAction: 0 },
      agreements: { awaitingDcHead: 0, expiringSoon: 0, expiringWithinDays: 60 },
      findings: { open: 0 },
      capacity: { observedAt: null, nodes: [], total: { vms: 0, overcommitted: false } },
    });
    expect((await staff.agent.get('/api/v1/operator/dashboard')).status).toBe(403);
  });

  it('should count waiting, overdue, running, failed, agreements and findings as their lists would', async () => {
    const { db } = h.database;
    const fresh = await submit();
    const old = await submit();
    // Past the approval standard (default hours), so overdue.
    await db
      .updateTable('vpsRequests')
      .set({ createdAt: new Date(Date.now() - 30 * DAY) })
      .where('id', '=', old)
      .execute();
    const running = await submit();
    await db.updateTable('vpsRequests').set({ status: 'provisioning' }).where('id', '=', running).execute();
    await insertRun(db, { requestId: running, kind: 'provision', requestedBy: null });
    const failed = await submit();
    await db.updateTable('vpsRequests').set({ status: 'failed' }).where('id', '=', failed).execute();
    // Two failed runs of one request are one request needing action.
    for (let i = 0; i < 2; i++) {
      const run = await insertRun(db, { requestId: failed, kind: 'provision', requestedBy: null });
      await db
        .updateTable('provisioningRuns')
        .set({ status: 'failed', errorMessage: 'gagal\n\nfailed', finishedAt: new Date() })
        .where('id', '=', run.id)
        .execute();
    }

    const other = (await makeInstitution(db)).id;
    const awaiting = await makeAgreementInForce(db, other);
    await db.updateTable('agreements').set({ status: 'awaiting_dc_head' }).where('id', '=', awaiting).execute();
    const third = (await makeInstitution(db)).id;
    await makeAgreementInForce(db, third, undefined, { start: isoDay(Date.now() - 300 * DAY), end: isoDay(Date.now() + 10 * DAY) });
    const fourth = (await makeInstitution(db)).id;
    await makeAgreementInForce(db, fourth, undefined, { start: isoDay(Date.now() - 10 * DAY), end: isoDay(Date.now() + 200 * DAY) });

    await upsertFinding(db, {
      kind: 'orphan_vm',
      fingerprint: `orphan_vm:dash-${Date.now()}`,
      node: 'pve1',
      vmid: 999,
      message: { id: 'VM yatim', en: 'Orphan VM' },
    });

    const d = await dashboard();
    expect(d.approvals).toEqual({ waiting: 2, overdue: 1 });
    expect(d.provisioning).toEqual({ running: 1 });
    expect(d.failed).toEqual({ needingAction: 1 });
    expect(d.agreements).toMatchObject({ awaitingDcHead: 1, expiringSoon: 1 });
    expect(d.findings).toEqual({ open: 1 });
    expect(fresh).toBeDefined();

    // Deciding the fresh one moves it out of the waiting count.
    await db.updateTable('vpsRequests').set({ status: 'rejected' }).where('id', '=', fresh).execute();
    expect((await dashboard()).approvals).toEqual({ waiting: 1, overdue: 1 });
  });

  it("should show each node's allocation against its CPUs, memory and VM-disk storage, overcommit marked, and the total", async () => {
    const { db } = h.database;
    const observedAt = new Date();
    await db.transaction().execute((tx) =>
      replaceClusterSnapshot(tx, [
        {
          node: 'pve1',
          online: true,
          statsVisible: true,
          cpuUsage: 0.1,
          cpuCount: 4,
          memTotalBytes: 8 * GIB,
          memUsedBytes: GIB,
          storages: [
            // ISO and backup space holds no VM disk: not counted.
            { storage: 'local', shared: false, available: true, content: ['iso', 'backup'], totalBytes: 100 * GIB },
            { storage: 'local-lvm', shared: false, available: true, content: ['images', 'rootdir'], totalBytes: 30 * GIB },
            { storage: 'nfs', shared: true, available: true, content: ['images'], totalBytes: 500 * GIB },
          ],
          observedAt,
        },
        {
          node: 'pve2',
          online: true,
          statsVisible: true,
          cpuUsage: 0.1,
          cpuCount: 16,
          memTotalBytes: 64 * GIB,
          memUsedBytes: GIB,
          storages: [
            { storage: 'local-lvm', shared: false, available: true, content: ['images'], totalBytes: 200 * GIB },
            { storage: 'nfs', shared: true, available: true, content: ['images'], totalBytes: 500 * GIB },
            // Unreachable storage offers nothing.
            { storage: 'iscsi', shared: false, available: false, content: ['images'], totalBytes: 900 * GIB },
          ],
          observedAt,
        },
      ]),
    );
    const requestIds = [await submit(), await submit(), await submit()];
    const place: { node: string; cores: number; memoryMiB: number; state: 'running' | 'stopped' | 'failed' }[] = [
      { node: 'pve1', cores: 4, memoryMiB: 4096, state: 'running' },
      { node: 'pve1', cores: 2, memoryMiB: 2048, state: 'stopped' },
      // A failed VM holds nothing: not counted.
      { node: 'pve2', cores: 8, memoryMiB: 8192, state: 'failed' },
    ];
    for (const [i, p] of place.entries())
      await db
        .insertInto('vms')
        .values({ requestId: requestIds[i]!, institutionId, name: `dash-vm-${i}`, vmid: 5000 + i, diskGiB: 20, ...p })
        .execute();

    const { capacity } = await dashboard();
    expect(capacity.observedAt).toBe(observedAt.toISOString());
    expect(capacity.nodes).toEqual([
      {
        node: 'pve1',
        online: true,
        vms: 2,
        cores: { allocated: 6, physical: 4, ratio: 1.5 },
        memoryMiB: { allocated: 6144, physical: 8192, ratio: 0.75 },
        diskGiB: { allocated: 40, physical: 530, ratio: 0.08 },
        overcommitted: true,
      },
      {
        node: 'pve2',
        online: true,
        vms: 0,
        cores: { allocated: 0, physical: 16, ratio: 0 },
        memoryMiB: { allocated: 0, physical: 65_536, ratio: 0 },
        diskGiB: { allocated: 0, physical: 700, ratio: 0 },
        overcommitted: false,
      },
    ]);
    expect(capacity.total).toEqual({
      vms: 2,
      cores: { allocated: 6, physical: 20, ratio: 0.3 },
      memoryMiB: { allocated: 6144, physical: 73_728, ratio: 0.08 },
      // The shared storage counts once: 30 + 200 + 500.
      diskGiB: { allocated: 40, physical: 730, ratio: 0.05 },
      overcommitted: false,
    });
  });

  it('should stream the dashboard at once and again when a count changes, to operators only', async () => {
    const server = h.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const refused = await openSse(base, '/api/v1/operator/dashboard/events', await loginCookie(base, staffEmail));
      expect(refused.status).toBe(403);
      refused.close();
      const client = await openSse(base, '/api/v1/operator/dashboard/events', await loginCookie(base, operatorEmail));
      try {
        expect(client.status).toBe(200);
        const dashboards = (m: { event: string }) => m.event === 'dashboard';
        const [first] = await client.waitFor(dashboards, 1, 10_000);
        const before = JSON.parse(first!.data).approvals.waiting as number;
        await submit();
        const [, second] = await client.waitFor(dashboards, 2, 15_000);
        expect(JSON.parse(second!.data).approvals.waiting).toBe(before + 1);
      } finally {
        client.close();
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
