import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { rawRequest } from './testing/raw-client';
import { delay, simApi } from './testing/sim-test-kit';

describe('fault injection', () => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ timeFactor: 0, seed: 3 });
  });
  afterEach(() => sim.close());

  test('route error rates are seeded: the same seed fails the same requests', async () => {
    const run = async (): Promise<number[]> => {
      const s = await startSimulator({ timeFactor: 0, seed: 99 });
      s.faults.addRouteError({
        method: 'GET',
        path: '/nodes/*/qemu/*/status/current',
        rate: 0.5,
        status: 500,
        message: 'proxy loop detected',
      });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await simApi(s).get('/nodes/pve1/qemu/9000/status/current')).status);
      await s.close();
      return statuses;
    };
    const a = await run();
    expect(a).toEqual(await run());
    expect(a).toContain(500);
    expect(a).toContain(200);
  });

  test('596 with times limit, then healthy again', async () => {
    const api = simApi(sim);
    const id = sim.faults.addRouteError({ path: '/cluster/**', status: 596, times: 1 });
    const r = await api.get('/cluster/resources');
    expect(r.status).toBe(596);
    expect(r.reason).toBe('Errors during TLS negotiation, request sending and header processing: Connection timed out');
    expect(r.text).toBe('');
    expect((await api.get('/cluster/resources')).status).toBe(200);
    sim.faults.removeRouteError(id);
  });

  test('node offline: 595 on its paths, offline in /cluster/resources, VMs unknown', async () => {
    const api = simApi(sim);
    sim.faults.setNodeOnline('pve1', false);
    const r = await api.get('/nodes/pve1/qemu/9000/status/current');
    expect(r.status).toBe(595);
    expect(r.reason).toBe('Errors during connection establishment, proxy handshake: No route to host');
    const res = (await api.get('/cluster/resources')).body?.data as Array<Record<string, unknown>>;
    expect(res.find((x) => x.id === 'node/pve1')).toMatchObject({ status: 'offline' });
    expect(res.find((x) => x.id === 'node/pve1')?.maxmem).toBeUndefined();
    expect(res.find((x) => x.id === 'qemu/9000')).toMatchObject({ status: 'unknown' });
    expect((await api.get('/nodes/pve2/status')).status).toBe(200);
  });

  test('slow tasks stay running longer', async () => {
    const s = await startSimulator({ timeFactor: 0.01 });
    try {
      s.faults.slowTasks('qmclone', 50);
      const api = simApi(s);
      const r = await api.post('/nodes/pve1/qemu/9000/clone', { newid: 700 });
      await delay(450);
      const st = (await api.get(`/nodes/pve1/tasks/${String(r.body?.data)}/status`)).body?.data as { status: string };
      expect(st.status).toBe('running');
      expect(s.state.vm(700)?.lock).toBe('clone');
    } finally {
      await s.close();
    }
  });

  test('storage lock timeout: local and shared wording, prefixed clone failed, nothing left behind', async () => {
    const api = simApi(sim);
    sim.faults.storageLockTimeout('local-lvm');
    const t = await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 701, full: 1, storage: 'local-lvm' });
    expect(t.exitstatus).toBe("clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout");
    expect(sim.state.vm(701)).toBeUndefined();
    sim.faults.storageLockTimeout('ceph');
    const t2 = await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 701, full: 1 });
    expect(t2.exitstatus).toBe("clone failed: cfs-lock 'storage-ceph' error: got lock request timeout");
    expect((await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 701, full: 1 })).exitstatus).toBe('OK');
  });

  test('held VM flock: config POST fails sync, start fails in-task with the flock text', async () => {
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 702, full: 1 });
    sim.faults.holdVmLock(702);
    const cfg = await api.post('/nodes/pve1/qemu/702/config', { cores: 2 });
    expect(cfg.status).toBe(500);
    expect(cfg.reason).toBe("can't lock file '/var/lock/qemu-server/lock-702.conf' - got timeout");
    expect((await api.task('POST', '/nodes/pve1/qemu/702/status/start')).exitstatus).toBe(
      "can't lock file '/var/lock/qemu-server/lock-702.conf' - got timeout",
    );
    sim.faults.releaseVmLock(702);
    expect((await api.task('POST', '/nodes/pve1/qemu/702/status/start')).exitstatus).toBe('OK');
  });

  test('agent never starts', async () => {
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 703, full: 1 });
    sim.faults.agentNeverStarts(703);
    await api.task('POST', '/nodes/pve1/qemu/703/status/start');
    await delay(20);
    expect((await api.post('/nodes/pve1/qemu/703/agent/ping')).reason).toBe('QEMU guest agent is not running');
    sim.faults.agentNeverStarts(703, false);
    expect((await api.post('/nodes/pve1/qemu/703/agent/ping')).status).toBe(200);
    // agent disabled in config
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 704, full: 1 });
    await api.task('POST', '/nodes/pve1/qemu/704/config', { delete: 'agent' });
    expect((await api.post('/nodes/pve1/qemu/704/agent/ping')).reason).toBe('No QEMU guest agent configured');
  });

  test('stale clone lock: worker dies, VM keeps lock: clone, exit status unexpected', async () => {
    const api = simApi(sim);
    sim.faults.staleCloneLock();
    const t = await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 705, full: 1 });
    expect(t.exitstatus).toBe('unexpected status');
    expect(sim.state.vm(705)?.lock).toBe('clone');
    expect((await api.post('/nodes/pve1/qemu/705/config', { cores: 2 })).reason).toBe('VM is locked (clone)');
    expect((await api.del('/nodes/pve1/qemu/705')).status).toBe(200);
  });

  test('token revoked → 401; full storage; no quorum; got no worker upid; missing privilege', async () => {
    const api = simApi(sim);
    sim.faults.revokeToken(sim.tokenId);
    const r = await api.get('/version');
    expect(r.status).toBe(401);
    expect(r.reason).toBe('Authentication failed!');
    sim.faults.revokeToken(sim.tokenId, false);

    sim.faults.fillStorage('local-lvm', 'pve1');
    const full = await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 706, full: 1, storage: 'local-lvm' });
    expect(full.exitstatus).toMatch(/^clone failed: unable to allocate image on storage 'local-lvm': not enough free space/);
    sim.faults.fillStorage('local-lvm', 'pve1', false);

    sim.faults.setQuorum(false);
    expect((await api.post('/nodes/pve1/qemu/9000/clone', { newid: 706 })).reason).toBe('cluster not ready - no quorum?');
    expect((await api.get('/cluster/nextid')).status).toBe(200);
    sim.faults.setQuorum(true);

    sim.faults.noWorkerUpid(1);
    expect((await api.post('/nodes/pve1/qemu/9000/clone', { newid: 706 })).reason).toBe('got no worker upid - start worker failed');

    sim.faults.denyPrivilege('VM.Allocate');
    const denied = await api.post('/nodes/pve1/qemu/9000/clone', { newid: 706, pool: 'customers' });
    expect(denied.status).toBe(403);
    // VM.Allocate on /vms/{newid} OR on /pool/{pool}: PVE's `or` check refuses without naming either
    expect(denied.reason).toBe('Permission check failed');
    const cloneDenied = await api.post('/nodes/pve1/qemu/9000/clone', { newid: 706 });
    sim.faults.denyPrivilege('VM.Clone');
    expect((await api.post('/nodes/pve1/qemu/9000/clone', { newid: 706 })).reason).toBe('Permission check failed (/vms/9000, VM.Clone)');
    expect(cloneDenied.status).toBe(403);
    sim.faults.denyPrivilege('Sys.Audit');
    expect((await api.get('/nodes/pve1/status')).reason).toBe('Permission check failed (/nodes/pve1, Sys.Audit)');
    sim.faults.reset();
    expect((await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 706 })).exitstatus).toBe('OK');
  });

  test('admin HTTP API under /_sim mirrors the JS controller and exposes state', async () => {
    const admin = (method: string, path: string, json?: unknown) => rawRequest(sim, method, path, { json, noAuth: true });
    expect((await admin('POST', '/_sim/faults/node-online', { node: 'pve2', online: false })).status).toBe(200);
    expect((await simApi(sim).get('/nodes/pve2/status')).status).toBe(595);
    const add = await admin('POST', '/_sim/faults/route-error', { path: '/version', status: 503, message: 'maintenance' });
    expect((add.body?.data as { id: number }).id).toBeGreaterThan(0);
    expect((await simApi(sim).get('/version')).reason).toBe('maintenance');
    await admin('POST', '/_sim/faults/reset');
    expect((await simApi(sim).get('/version')).status).toBe(200);
    const vms = (await admin('GET', '/_sim/state/vms')).body?.data as Array<{ vmid: number; template: boolean; pool: string }>;
    expect(vms.map((v) => v.vmid)).toEqual([9000, 9001]);
    expect(vms.every((v) => v.template && v.pool === 'templates')).toBe(true);
    expect((await admin('GET', '/_sim/nope/nothing')).status).toBe(404);
    expect((await admin('POST', '/_sim/faults/config-lock', { vmid: 1 })).status).toBe(400);
  });

  test('one API port per node: one taken down refuses connections, the others forward to it in vain', async () => {
    const cluster = await startSimulator({ timeFactor: 0, seed: 4, apiPerNode: true, guestSsh: false });
    try {
      const at = (node: string) => ({ ...cluster, url: cluster.endpoints.find((e) => e.node === node)?.url ?? '' });
      const admin = (json: unknown) => rawRequest(at('pve1'), 'POST', '/_sim/faults/node-api', { json, noAuth: true });
      expect((await admin({ node: 'pve2', up: false })).status).toBe(200);
      await delay(100);
      await expect(rawRequest(at('pve2'), 'GET', '/version')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      const forwarded = await rawRequest(at('pve1'), 'GET', '/nodes/pve2/status');
      expect(forwarded).toMatchObject({
        status: 595,
        reason: 'Errors during connection establishment, proxy handshake: Connection refused',
        text: '',
      });
      expect((await rawRequest(at('pve3'), 'GET', '/cluster/resources', { form: { type: 'node' } })).status).toBe(200);
      expect((await admin({ node: 'pve2', up: true })).status).toBe(200);
      await delay(100);
      expect((await rawRequest(at('pve2'), 'GET', '/version')).status).toBe(200);

      // The clone is carried out, its answer never sent, and pve3's port goes down.
      cluster.faults.apiDiesAfter('pve3', 'POST', '/nodes/*/qemu/*/clone');
      await expect(rawRequest(at('pve3'), 'POST', '/nodes/pve1/qemu/9000/clone', { form: { newid: 500, full: 1 } })).rejects.toMatchObject({
        code: 'ECONNRESET',
      });
      expect(cluster.state.tasks().filter((t) => t.type === 'qmclone')).toHaveLength(1);
      await expect(rawRequest(at('pve3'), 'GET', '/version')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await cluster.close();
    }
  });
});
