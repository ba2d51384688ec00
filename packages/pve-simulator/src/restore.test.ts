import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { simApi } from './testing/sim-test-kit';

const macs = (config: Record<string, string>): string[] =>
  Object.entries(config)
    .filter(([k]) => /^net\d+$/.test(k))
    .map(([, v]) => /([0-9A-F]{2}(:[0-9A-F]{2}){5})/.exec(v)?.[1] ?? '');

describe('qmrestore: POST /nodes/{node}/qemu with archive', () => {
  let sim: RunningSimulator;
  let pbsVolid = '';
  let dirVolid = '';

  const backUp = async (vmid: number, storage: string): Promise<string> => {
    const api = simApi(sim);
    expect((await api.task('POST', '/nodes/pve1/vzdump', { vmid: String(vmid), storage })).exitstatus).toBe('OK');
    const list = (await api.get(`/nodes/pve1/storage/${storage}/content`, { vmid: String(vmid) })).body?.data as Array<{ volid: string }>;
    // one second apart so a second backup gets another name
    await new Promise((r) => setTimeout(r, 1100));
    return list[list.length - 1]!.volid;
  };

  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0.01 });
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 101, full: 1, storage: 'ceph', name: 'web-adpim' });
    await api.put('/nodes/pve1/qemu/101/config', { ipconfig0: 'ip=10.20.0.5/24,gw=10.20.0.1', memory: 2048 });
    pbsVolid = await backUp(101, 'pbs');
    dirVolid = await backUp(101, 'local');
  });
  afterAll(() => sim.close());

  test('into a new vmid: a qmrestore task, lock create while it runs, the archived config with new volumes', async () => {
    const api = simApi(sim);
    sim.faults.slowTasks('qmrestore', 40);
    const r = await api.post('/nodes/pve1/qemu', { vmid: 120, archive: pbsVolid, storage: 'ceph' });
    const upid = r.body?.data as string;
    expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmrestore:120:root@pam!betang:$/);
    expect(sim.state.vm(120)?.config.lock).toBe('create');
    // the create lock refuses changes and a second restore, as PVE does
    expect((await api.put('/nodes/pve1/qemu/120/config', { cores: 2 })).reason).toBe('VM is locked (create)');
    const again = await api.post('/nodes/pve1/qemu', { vmid: 120, archive: pbsVolid, force: 1 });
    expect(again.reason).toBe('unable to restore VM 120 - VM is locked (create)');
    sim.faults.slowTasks('qmrestore', 1);
    expect((await api.waitTask(upid)).exitstatus).toBe('OK');
    const restored = sim.state.vm(120)!;
    const source = sim.state.vm(101)!;
    expect(restored.config.lock).toBeUndefined();
    expect(restored.status).toBe('stopped');
    expect(restored.config).toMatchObject({ name: 'web-adpim', memory: '2048', ipconfig0: 'ip=10.20.0.5/24,gw=10.20.0.1' });
    expect(restored.config.scsi0).toMatch(/^ceph:vm-120-disk-0,.*size=3G$/);
    expect(restored.config.ide2).toBe('ceph:vm-120-cloudinit,media=cdrom');
    // without unique the MAC addresses stay (and would clash with the original); vmgenid is always new
    expect(macs(restored.config)).toEqual(macs(source.config));
    expect(restored.config.vmgenid).not.toBe(source.config.vmgenid);
    const log = (await api.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`, { limit: '100' })).body?.data as Array<{ t: string }>;
    expect(log.map((l) => l.t)).toContain("new volume ID is 'ceph:vm-120-disk-0'");
  });

  test('unique=1 gives new MAC addresses and a new SMBIOS uuid; start=1 boots the VM', async () => {
    const api = simApi(sim);
    expect((await api.task('POST', '/nodes/pve1/qemu', { vmid: 121, archive: dirVolid, unique: 1, start: 1 })).exitstatus).toBe('OK');
    const restored = sim.state.vm(121)!;
    const source = sim.state.vm(101)!;
    expect(macs(restored.config)).toHaveLength(1);
    expect(macs(restored.config)[0]).toMatch(/^BC:24:11:/);
    expect(macs(restored.config)).not.toEqual(macs(source.config));
    expect(restored.config.smbios1).not.toBe(source.config.smbios1);
    // disks go back to the storage they came from when no storage is given
    expect(restored.config.scsi0).toMatch(/^ceph:vm-121-disk-0,/);
    expect(restored.status).toBe('running');
  });

  test('errors before the worker: vmid in use without force, unknown file, storage not on the node, pipe', async () => {
    const api = simApi(sim);
    expect((await api.post('/nodes/pve1/qemu', { vmid: 101, archive: pbsVolid })).reason).toBe(
      "unable to restore VM 101 - VM 101 already exists on node 'pve1'",
    );
    const missing = 'local:backup/vzdump-qemu-101-2020_01_01-00_00_00.vma.zst';
    expect((await api.post('/nodes/pve1/qemu', { vmid: 130, archive: missing })).reason).toBe(`can't find file '${missing}'`);
    // a directory backup lives on the node that made it
    expect((await api.post('/nodes/pve2/qemu', { vmid: 130, archive: dirVolid })).reason).toBe(`can't find file '${dirVolid}'`);
    expect((await api.post('/nodes/pve1/qemu', { vmid: 130, archive: 'nosuch:backup/vm/101/x' })).reason).toBe(
      "storage 'nosuch' does not exist",
    );
    expect((await api.post('/nodes/pve1/qemu', { vmid: 130, force: 1 })).body?.errors).toEqual({
      force: "missing property - 'archive' is required by this property\n",
    });
    expect((await api.post('/nodes/pve1/qemu', { vmid: 130, archive: '-' })).reason).toBe('pipe requires cli environment');
    expect(sim.state.vm(130)).toBeUndefined();
  });

  test('an unknown PBS snapshot fails inside the task and leaves an empty, unlocked config behind', async () => {
    const api = simApi(sim);
    const r = await api.task('POST', '/nodes/pve1/qemu', { vmid: 131, archive: 'pbs:backup/vm/101/2020-01-01T00:00:00Z' });
    expect(r.exitstatus).toMatch(/^command '\/usr\/bin\/proxmox-backup-client restore vm\/101\/2020-01-01T00:00:00Z qemu-server\.conf/);
    expect(sim.state.vm(131)?.config).toEqual({});
  });

  test('force over a running VM fails in the task with "vm is running" and leaves it untouched and unlocked', async () => {
    const api = simApi(sim);
    const before = { ...sim.state.vm(121)!.config };
    const r = await api.task('POST', '/nodes/pve1/qemu', { vmid: 121, archive: pbsVolid, force: 1 });
    expect(r.exitstatus).toBe('unable to restore VM 121 - vm is running');
    expect(sim.state.vm(121)?.config).toEqual(before);
  });

  test('force over a stopped VM replaces its disks and config with the backup, in place', async () => {
    const api = simApi(sim);
    await api.put('/nodes/pve1/qemu/101/config', { memory: 4096 });
    await api.task('POST', '/nodes/pve1/qemu/101/snapshot', { snapname: 'before' });
    const macBefore = macs(sim.state.vm(101)!.config);
    expect((await api.task('POST', '/nodes/pve1/qemu', { vmid: 101, archive: pbsVolid, force: 1 })).exitstatus).toBe('OK');
    const vm = sim.state.vm(101)!;
    expect(vm.config.memory).toBe('2048');
    expect(vm.config.scsi0).toMatch(/^ceph:vm-101-disk-0,/);
    expect(macs(vm.config)).toEqual(macBefore);
    // snapshots are not part of a backup: the restored VM has none
    const snaps = (await api.get('/nodes/pve1/qemu/101/snapshot')).body?.data as Array<{ name: string }>;
    expect(snaps.map((s) => s.name)).toEqual(['current']);
  });
});
