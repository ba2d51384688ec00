import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { simApi } from './testing/sim-test-kit';

// Clone across nodes as qemu-server's clone_vm does it, on the two storage layouts.
describe('storage layouts', () => {
  let shared: RunningSimulator;
  let local: RunningSimulator;
  beforeAll(async () => {
    shared = await startSimulator({ timeFactor: 0, storageLayout: 'shared' });
    local = await startSimulator({ timeFactor: 0, storageLayout: 'local' });
  });
  afterAll(async () => {
    await shared.close();
    await local.close();
  });

  test('local: a template on every node, no shared storage', async () => {
    const templates = local.state.listVms().filter((v) => v.config.template === '1');
    expect(templates.map((t) => [t.vmid, t.node])).toEqual([
      [9000, 'pve1'],
      [9001, 'pve1'],
      [9100, 'pve2'],
      [9101, 'pve2'],
      [9200, 'pve3'],
      [9201, 'pve3'],
    ]);
    const storages = (await simApi(local).get('/nodes/pve2/storage')).body?.data as Array<{ storage: string; shared: number }>;
    expect(storages.map((s) => s.storage).sort()).toEqual(['local', 'local-lvm']);
    expect(storages.every((s) => s.shared === 0)).toBe(true);
  });

  test("local: cloning to another node is refused with PVE's message; on the template's node it works", async () => {
    const api = simApi(local);
    const refused = await api.post('/nodes/pve1/qemu/9000/clone', { newid: 200, full: 1, target: 'pve2' });
    expect(refused.status).toBe(500);
    expect(refused.reason).toBe("can't clone VM to node 'pve2' (VM uses local storage)");
    expect(local.state.listVms().some((v) => v.vmid === 200)).toBe(false);
    expect((await api.task('POST', '/nodes/pve2/qemu/9100/clone', { newid: 201, full: 1, name: 'on-pve2' })).exitstatus).toBe('OK');
    const vm = local.state.listVms().find((v) => v.vmid === 201);
    expect(vm?.node).toBe('pve2');
    expect(vm?.config.scsi0).toMatch(/^local-lvm:vm-201-disk-0,/);
  });

  test("shared: the copy runs on the template's node (task and storage lock there), the VM moves to target at the end", async () => {
    const api = simApi(shared);
    shared.faults.storageLockTimeout('ceph', 1);
    const failed = await api.post('/nodes/pve1/qemu/9000/clone', { newid: 300, full: 1, target: 'pve3' });
    const upid = String(failed.body?.data);
    expect(upid.split(':')[1]).toBe('pve1');
    expect((await api.waitTask(upid)).exitstatus).toBe("clone failed: cfs-lock 'storage-ceph' error: got lock request timeout");
    const ok = await api.post('/nodes/pve1/qemu/9000/clone', { newid: 301, full: 1, target: 'pve3' });
    expect(String(ok.body?.data).split(':')[1]).toBe('pve1');
    expect((await api.waitTask(String(ok.body?.data))).exitstatus).toBe('OK');
    expect(shared.state.listVms().find((v) => v.vmid === 301)?.node).toBe('pve3');
    // a full clone onto local storage of another node is refused as PVE does
    const toLocal = await api.post('/nodes/pve1/qemu/9000/clone', { newid: 302, full: 1, target: 'pve2', storage: 'local-lvm' });
    expect(toLocal.reason).toBe("can't clone to non-shared storage 'local-lvm'");
  });
});
