import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '@betang/core';
import { makeQueuedActionRun, makeQueuedProvisionRun, makeUser, type QueuedProvision } from '@betang/testkit';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { loginCookie, openSse, type SseClient, type SseMessage } from '../testing/sse-client';

type Envelope = { id: number; requestId: string; kind: string; data: Record<string, unknown> };
const body = (m: SseMessage) => JSON.parse(m.data) as Envelope;

describe('live VM state: GET /vms/events and the whole run history', () => {
  let h: ApiHarness;
  let base: string;
  let server: Server;
  const clients: SseClient[] = [];
  let octet = 90;
  let vmids = 0;
  const db = () => h.database.db;
  const newRequest = () => makeQueuedProvisionRun(db(), { poolOctet: (octet += 1), enqueue: false });
  const cookieOf = async (roles: Role[], institutionId?: string) =>
    loginCookie(base, (await makeUser(db(), { roles, institutionId })).email);
  const stream = async (path: string, cookie: string) => {
    const client = await openSse(base, path, cookie);
    clients.push(client);
    return client;
  };
  /** What the worker leaves after provisioning: a running VM with its pinned host key, the run succeeded. */
  const built = async (p: QueuedProvision, hostKey: string | null = null) => {
    const vm = await db()
      .insertInto('vms')
      .values({
        requestId: p.requestId,
        institutionId: p.institutionId,
        vmid: 200_000 + (vmids += 1),
        node: 'pve1',
        name: p.hostname,
        cores: 2,
        memoryMiB: 2048,
        diskGiB: 10,
        state: 'running',
        hostKey,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db().updateTable('provisioningRuns').set({ status: 'succeeded', vmId: vm.id, progress: 100 }).where('id', '=', p.runId).execute();
    await db().updateTable('vpsRequests').set({ status: 'active' }).where('id', '=', p.requestId).execute();
    return vm.id;
  };

  beforeAll(async () => {
    h = await startApiHarness();
    server = h.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  it('streams the power state of the own institution’s VMs only; operators see every institution', async () => {
    const mine = await newRequest();
    const theirs = await newRequest();
    const mineVm = await built(mine);
    const theirVm = await built(theirs);
    const staff = await stream('/api/v1/vms/events', await cookieOf([Role.InstitutionStaff], mine.institutionId));
    const operator = await stream('/api/v1/vms/events', await cookieOf([Role.Operator]));
    expect(staff.status).toBe(200);
    expect(staff.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await staff.waitFor((m) => m.retry !== undefined);
    await operator.waitFor((m) => m.retry !== undefined);

    // The other institution's VM stops first, then ours: the staff stream must skip the first.
    await db().updateTable('vms').set({ state: 'stopped' }).where('id', '=', theirVm).execute();
    await db().updateTable('vms').set({ state: 'stopped' }).where('id', '=', mineVm).execute();
    const [event] = await staff.waitFor((m) => m.event === 'vm');
    expect(body(event!)).toMatchObject({ requestId: mine.requestId, data: { vmId: mineVm, state: 'stopped', node: null } });
    const seen = await operator.waitFor((m) => m.event === 'vm', 2);
    expect(seen.map((m) => body(m).data.vmId)).toEqual([theirVm, mineVm]);
    // The operator sees the node (operational detail); nothing of the other institution reached the staff.
    expect(body(seen[0]!).data.node).toBe('pve1');
    expect(staff.messages.filter((m) => m.data.includes(theirs.requestId))).toEqual([]);
  });

  it('answers 404 for another institution’s scope and 401 without a session', async () => {
    const mine = await newRequest();
    const other = await newRequest();
    const cookie = await cookieOf([Role.InstitutionHead], mine.institutionId);
    const foreign = await fetch(`${base}/api/v1/vms/events?institutionId=${other.institutionId}`, { headers: { cookie } });
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await fetch(`${base}/api/v1/vms/events`)).status).toBe(401);
    expect((await fetch(`${base}/api/v1/vms/events?lastEventId=abc`, { headers: { cookie } })).status).toBe(400);
  });

  it('returns every run of the request (provisioning and each day-2 run) and the host key fingerprint ssh prints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'betang-hostkey-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'root@vm', '-f', join(dir, 'k')]);
      const line = readFileSync(join(dir, 'k.pub'), 'utf8').trim();
      const printed = execFileSync('ssh-keygen', ['-lf', join(dir, 'k.pub')], { encoding: 'utf8' }).split(' ')[1];
      const p = await newRequest();
      await built(p, line);
      const stop = await makeQueuedActionRun(db(), p.requestId, 'stop');
      await db().updateTable('provisioningRuns').set({ status: 'succeeded', progress: 100 }).where('id', '=', stop).execute();
      const start = await makeQueuedActionRun(db(), p.requestId, 'start');
      await db().updateTable('provisioningRuns').set({ status: 'cancelled' }).where('id', '=', start).execute();

      const cookie = await cookieOf([Role.InstitutionStaff], p.institutionId);
      const res = await fetch(`${base}/api/v1/vps-requests/${p.requestId}`, { headers: { cookie } });
      const view = (await res.json()) as {
        run: { id: string };
        runs: { id: string; kind: string; status: string }[];
        vm: { hostKeyFingerprint: string };
      };
      expect(view.runs.map((r) => [r.id, r.kind, r.status])).toEqual([
        [p.runId, 'provision', 'succeeded'],
        [stop, 'stop', 'succeeded'],
        [start, 'start', 'cancelled'],
      ]);
      expect(view.run.id).toBe(start);
      expect(view.vm.hostKeyFingerprint).toBe(printed);
      // The stream's snapshot carries the same history.
      const live = await stream(`/api/v1/vps-requests/${p.requestId}/events`, cookie);
      const [snapshot] = await live.waitFor((m) => m.event === 'snapshot');
      expect((body(snapshot!).data.runs as unknown[]).length).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
