import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '@betang/core';
import { appendAudit } from '@betang/db';
import { makeQueuedProvisionRun, makeUser, type QueuedProvision } from '@betang/testkit';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { loginCookie, openSse, type SseClient, type SseMessage } from '../testing/sse-client';

const RAW = "TASK ERROR: clone failed: zod: Expected number, received string at 'maxmem' on node pve-node-7 (UPID:pve-node-7:0001)";
const INSTITUTION_ROLES = [Role.InstitutionHead, Role.InstitutionStaff] as const;
const DC_ROLES = [Role.Operator, Role.DcHead, Role.Admin, Role.Auditor] as const;

type View = {
  statusReason: string | null;
  run: { error: { code: string; message: string } | null; steps: { detail: string | null }[] } | null;
  vm: { node: string | null } | null;
};

describe('what institutions see of operational detail', () => {
  let h: ApiHarness;
  let base: string;
  let server: Server;
  let failed: QueuedProvision;
  const cookies = new Map<Role, string>();
  const clients: SseClient[] = [];

  // The answers are checked field by field below; `any` keeps the assertions readable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const get = async (role: Role, path: string): Promise<any> => {
    const response = await fetch(`${base}/api/v1${path}`, { headers: { cookie: cookies.get(role)! } });
    expect([path, role, response.status]).toEqual([path, role, 200]);
    return response.json();
  };
  const isEvent = (m: SseMessage) => !m.comment && m.retry === undefined;

  beforeAll(async () => {
    h = await startApiHarness();
    server = h.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { db } = h.database;
    failed = await makeQueuedProvisionRun(db, { poolOctet: 91 });
    // What the worker leaves after a permanent failure: its operator-facing text everywhere.
    const vm = await db
      .insertInto('vms')
      .values({
        requestId: failed.requestId,
        institutionId: failed.institutionId,
        vmid: 123_456,
        node: 'pve-node-7',
        name: failed.hostname,
        cores: 1,
        memoryMiB: 2048,
        diskGiB: 20,
        state: 'failed',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('runSteps')
      .values({ runId: failed.runId, key: 'clone', position: 1, status: 'failed', attempt: 1, detail: 'VM 123456 di/on pve-node-7' })
      .execute();
    await db
      .updateTable('provisioningRuns')
      .set({
        status: 'failed',
        vmId: vm.id,
        errorCode: 'PVE_TASK_FAILED',
        errorMessage: RAW,
        errorRetryable: false,
        finishedAt: new Date(),
      })
      .where('id', '=', failed.runId)
      .execute();
    await db.updateTable('vpsRequests').set({ status: 'failed', statusReason: RAW }).where('id', '=', failed.requestId).execute();
    await appendAudit(db, {
      actorUserId: null,
      actorLabel: 'operator@diskominfo',
      institutionId: failed.institutionId,
      action: 'vps_request.approved',
      targetType: 'vps_request',
      targetId: failed.requestId,
      requestId: 'r-1',
      ip: '10.20.30.40',
      userAgent: 'Mozilla/5.0 (Operator)',
      after: { node: 'pve-node-7', status: 'queued' },
    });
    for (const role of INSTITUTION_ROLES)
      cookies.set(role, await loginCookie(base, (await makeUser(db, { roles: [role], institutionId: failed.institutionId })).email));
    for (const role of DC_ROLES) cookies.set(role, await loginCookie(base, (await makeUser(db, { roles: [role] })).email));
  });
  afterAll(async () => {
    for (const c of clients.splice(0)) c.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  const expectHumane = (view: View) => {
    const shown = JSON.stringify(view);
    expect(shown).not.toMatch(/pve-node-7|TASK ERROR|zod|UPID/);
    expect(view.statusReason).toMatch(/gangguan teknis[\s\S]*technical problem/);
    expect(view.run?.error).toMatchObject({ code: 'PVE_TASK_FAILED', message: expect.stringMatching(/Operator Diskominfosantik/) });
    expect(view.run?.steps.map((s) => s.detail)).toEqual([null]);
    expect(view.vm?.node).toBeNull();
  };
  const expectDetail = (view: View) => {
    expect(view.statusReason).toBe(RAW);
    expect(view.run?.error?.message).toBe(RAW);
    expect(view.run?.steps.map((s) => s.detail)).toEqual(['VM 123456 di/on pve-node-7']);
    expect(view.vm?.node).toBe('pve-node-7');
  };

  it.each(INSTITUTION_ROLES)(
    'should show %s a humane reason, without Proxmox text or node names, in the view and the list',
    async (role) => {
      expectHumane(await get(role, `/vps-requests/${failed.requestId}`));
      const list = await get(role, '/vps-requests');
      expectHumane(list.items.find((r: { id: string }) => r.id === failed.requestId));
    },
  );

  it.each(DC_ROLES)('should show %s the operators’ detail', async (role) => {
    expectDetail(await get(role, `/vps-requests/${failed.requestId}`));
    const list = await get(role, `/vps-requests?institutionId=${failed.institutionId}`);
    expectDetail(list.items.find((r: { id: string }) => r.id === failed.requestId));
  });

  it('should apply the same rules to the live events (snapshot and later events)', async () => {
    const staff = await openSse(base, `/api/v1/vps-requests/${failed.requestId}/events`, cookies.get(Role.InstitutionStaff)!);
    const operator = await openSse(base, `/api/v1/vps-requests/${failed.requestId}/events`, cookies.get(Role.Operator)!);
    clients.push(staff, operator);
    const [staffSnapshot] = await staff.waitFor((m) => m.event === 'snapshot');
    const [operatorSnapshot] = await operator.waitFor((m) => m.event === 'snapshot');
    expectHumane(JSON.parse(staffSnapshot!.data).data);
    expectDetail(JSON.parse(operatorSnapshot!.data).data);

    // A later failure of a day-2 run on the same request, as the worker writes it.
    const { db } = h.database;
    const run = await db
      .insertInto('provisioningRuns')
      .values({ requestId: failed.requestId, kind: 'reboot', status: 'queued' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('runSteps')
      .values({ runId: run.id, key: 'locate', position: 1, status: 'done', attempt: 1, detail: 'VM 123456 di/on pve-node-7' })
      .execute();
    await db
      .updateTable('provisioningRuns')
      .set({ status: 'failed', errorCode: 'NODE_OFFLINE', errorMessage: RAW, errorRetryable: true })
      .where('id', '=', run.id)
      .execute();
    await db.updateTable('vms').set({ node: 'pve-node-8' }).where('requestId', '=', failed.requestId).execute();
    const later = (m: SseMessage) => isEvent(m) && m.event !== 'snapshot';
    const staffEvents = (await staff.waitFor(later, 4)).map((m) => JSON.parse(m.data));
    const operatorEvents = (await operator.waitFor(later, 4)).map((m) => JSON.parse(m.data));
    expect(JSON.stringify(staffEvents)).not.toMatch(/pve-node|TASK ERROR|zod/);
    expect(staffEvents.find((e) => e.kind === 'run' && e.data.status === 'failed').data.error).toMatchObject({
      code: 'NODE_OFFLINE',
      message: expect.stringMatching(/Operator Diskominfosantik/),
    });
    expect(staffEvents.find((e) => e.kind === 'vm').data.node).toBeNull();
    expect(JSON.stringify(operatorEvents)).toMatch(/pve-node-8/);
    expect(operatorEvents.find((e) => e.kind === 'run' && e.data.status === 'failed').data.error.message).toBe(RAW);
  });

  it('should hide IP addresses (and node names) from an institution head in the audit log, and keep them for data-center roles', async () => {
    const entryOf = (page: { items: { targetId: string; action: string }[] }) =>
      page.items.find((e) => e.targetId === failed.requestId && e.action === 'vps_request.approved');
    const head = entryOf(await get(Role.InstitutionHead, '/audit-log'));
    expect(head).toMatchObject({ ip: null, after: { status: 'queued' } });
    expect(JSON.stringify(head)).not.toMatch(/10\.20\.30\.40|Mozilla|pve-node-7/);
    for (const role of [Role.DcHead, Role.Admin, Role.Auditor] as const) {
      expect(entryOf(await get(role, `/audit-log?institutionId=${failed.institutionId}`))).toMatchObject({
        ip: '10.20.30.40',
        after: { node: 'pve-node-7' },
      });
    }
  });
});
