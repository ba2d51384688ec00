import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { simApi } from './testing/sim-test-kit';

interface ContentEntry {
  volid: string;
  content: string;
  format: string;
  size: number;
  ctime: number;
  vmid: number;
  subtype: string;
  notes?: string;
}

describe('vzdump and backup storage content', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    // time runs, slowly, so a test can catch a backup while it runs
    sim = await startSimulator({ timeFactor: 0.01 });
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 101, full: 1, storage: 'ceph', name: 'web-adpim' });
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 102, full: 1, storage: 'ceph', target: 'pve2' });
  });
  afterAll(() => sim.close());

  const content = async (node: string, storage: string, q: Record<string, string> = {}): Promise<ContentEntry[]> =>
    (await simApi(sim).get(`/nodes/${node}/storage/${storage}/content`, q)).body?.data as ContentEntry[];

  test('both backup storages are offered: a shared PBS datastore and the per-node directory', async () => {
    const list = (await simApi(sim).get('/nodes/pve1/storage', { content: 'backup' })).body?.data as Array<{
      storage: string;
      type: string;
      shared: number;
    }>;
    expect(list.map((s) => [s.storage, s.type, s.shared])).toEqual([
      ['local', 'dir', 0],
      ['pbs', 'pbs', 1],
    ]);
  });

  test('a vzdump task to PBS: task type vzdump with the vmid, the backup lock while it runs, a pbs-vm volume with notes', async () => {
    const api = simApi(sim);
    sim.faults.slowTasks('vzdump', 40);
    const r = await api.post('/nodes/pve1/vzdump', {
      vmid: '101',
      storage: 'pbs',
      mode: 'snapshot',
      'notes-template': '{{guestname}} on {{node}}',
      remove: 0,
    });
    const upid = r.body?.data as string;
    expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:vzdump:101:root@pam!betang:$/);
    expect(sim.state.vm(101)?.config.lock).toBe('backup');
    // while the backup runs, the VM refuses other config changes with PVE's message
    expect((await api.put('/nodes/pve1/qemu/101/config', { cores: 2 })).reason).toBe('VM is locked (backup)');
    sim.faults.slowTasks('vzdump', 1);
    expect((await api.waitTask(upid)).exitstatus).toBe('OK');
    expect(sim.state.vm(101)?.config.lock).toBeUndefined();
    const log = (await api.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`, { limit: '100' })).body?.data as Array<{ t: string }>;
    const text = log.map((l) => l.t);
    expect(text[0]).toMatch(/^INFO: starting new backup job: vzdump 101 /);
    expect(text).toContain('INFO: Starting Backup of VM 101 (qemu)');
    expect(text).toContain('INFO: Backup job finished successfully');
    const backups = await content('pve2', 'pbs', { content: 'backup' });
    expect(backups).toHaveLength(1);
    const b = backups[0]!;
    expect(b.volid).toMatch(/^pbs:backup\/vm\/101\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(new Date(b.ctime * 1000).toISOString().replace('.000', '')).toBe(b.volid.slice('pbs:backup/vm/101/'.length));
    expect(b).toMatchObject({
      content: 'backup',
      format: 'pbs-vm',
      subtype: 'qemu',
      vmid: 101,
      size: 3 * 1024 ** 3,
      notes: 'web-adpim on pve1',
    });
  });

  test('a directory storage keeps a vzdump file per node; a VM on another node is a silent OK without a task', async () => {
    const api = simApi(sim);
    const elsewhere = await api.post('/nodes/pve1/vzdump', { vmid: '102', storage: 'local' });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body?.data).toBe('OK');
    expect((await api.task('POST', '/nodes/pve2/vzdump', { vmid: '102', storage: 'local', compress: 'zstd' })).exitstatus).toBe('OK');
    const onPve2 = await content('pve2', 'local', { content: 'backup', vmid: '102' });
    expect(onPve2).toHaveLength(1);
    expect(onPve2[0]?.volid).toMatch(/^local:backup\/vzdump-qemu-102-\d{4}_\d\d_\d\d-\d\d_\d\d_\d\d\.vma\.zst$/);
    expect(onPve2[0]?.format).toBe('vma.zst');
    expect(await content('pve1', 'local', { vmid: '102' })).toEqual([]);
    // images on the content filter are not backups
    expect(await content('pve2', 'local', { content: 'images' })).toEqual([]);
  });

  test('a locked VM fails inside the task (job errors); a storage without backup content is refused', async () => {
    const api = simApi(sim);
    sim.faults.setConfigLock(101, 'snapshot');
    const upid = (await api.post('/nodes/pve1/vzdump', { vmid: '101', storage: 'pbs' })).body?.data as string;
    expect((await api.waitTask(upid)).exitstatus).toBe('job errors');
    const log = (await api.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`)).body?.data as Array<{ t: string }>;
    expect(log.map((l) => l.t)).toContain('ERROR: Backup of VM 101 failed - VM is locked (snapshot)');
    sim.faults.setConfigLock(101, undefined);
    const wrong = await api.task('POST', '/nodes/pve1/vzdump', { vmid: '101', storage: 'ceph' });
    expect(wrong.exitstatus).toBe('job errors');
    const bad = await api.post('/nodes/pve1/vzdump', { vmid: '101', storage: 'pbs', mode: 'fast' });
    expect(bad.status).toBe(400);
    expect(bad.body?.errors).toHaveProperty('mode');
    const badPrune = await api.post('/nodes/pve1/vzdump', { vmid: '101', storage: 'pbs', 'prune-backups': 'keep-daily=0' });
    expect(badPrune.status).toBe(400);
  });

  test('prune after the backup keeps what the retention keeps; DELETE removes one volume through an imgdel task', async () => {
    const api = simApi(sim);
    // one second apart so the PBS snapshot names differ
    await new Promise((r) => setTimeout(r, 1100));
    const upid = (await api.post('/nodes/pve1/vzdump', { vmid: '101', storage: 'pbs', 'prune-backups': 'keep-last=1' })).body
      ?.data as string;
    expect((await api.waitTask(upid)).exitstatus).toBe('OK');
    const log = ((await api.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`)).body?.data as Array<{ t: string }>).map((l) => l.t);
    expect(log).toContain('INFO: prune older backups with retention: keep-last=1');
    expect(log).toContain('INFO: pruned 1 backup(s) not covered by keep-retention policy');
    const left = await content('pve1', 'pbs', { vmid: '101' });
    expect(left).toHaveLength(1);
    const dry = (await api.get('/nodes/pve1/storage/pbs/prunebackups', { 'prune-backups': 'keep-last=1', vmid: '101' })).body?.data;
    expect(dry).toEqual([{ volid: left[0]!.volid, ctime: left[0]!.ctime, mark: 'keep', type: 'qemu', vmid: 101 }]);
    const del = await api.del(`/nodes/pve1/storage/pbs/content/${encodeURIComponent(left[0]!.volid)}`);
    const delUpid = del.body?.data as string;
    expect(delUpid).toContain(':imgdel:101@pbs:');
    expect((await api.waitTask(delUpid)).exitstatus).toBe('OK');
    expect(await content('pve1', 'pbs', { vmid: '101' })).toEqual([]);
    const again = await api.del(`/nodes/pve1/storage/pbs/content/${encodeURIComponent(left[0]!.volid)}`);
    expect(again.status).toBe(500);
    expect(again.reason).toBe(`volume '${left[0]!.volid}' does not exist`);
  });
});
