import { DEFAULT_STORAGES } from './options';
import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { eventually, simApi } from './testing/sim-test-kit';
import type { SimApi } from './testing/sim-test-kit';

type Item = { name: string; parent?: string; vmstate?: number; snaptime?: number; description?: string; running?: number };

describe('VM snapshots (qemu-server snapshot API)', () => {
  let sim: RunningSimulator;
  let api: SimApi;
  let nextId = 300;
  beforeAll(async () => {
    sim = await startSimulator({
      flavour: 'pve9',
      timeFactor: 0.01,
      agentBootSeconds: 1,
      seed: 7,
      guestSsh: false,
      storages: [
        ...DEFAULT_STORAGES,
        { id: 'files', type: 'dir', shared: false, content: 'images', totalGiB: 200 },
        { id: 'tank', type: 'zfspool', shared: false, content: 'images', totalGiB: 200 },
      ],
    });
    api = simApi(sim);
  });
  afterAll(() => sim.close());
  afterEach(() => sim.faults.reset());

  async function clone(extra: Record<string, string | number> = {}): Promise<number> {
    const newid = nextId++;
    const done = await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid, full: 1, storage: 'ceph', ...extra });
    expect(done.exitstatus).toBe('OK');
    return newid;
  }
  const list = async (vmid: number): Promise<Item[]> => (await api.get(`/nodes/pve1/qemu/${vmid}/snapshot`)).body?.data as Item[];
  const snap = (vmid: number, form: Record<string, string | number>) => api.task('POST', `/nodes/pve1/qemu/${vmid}/snapshot`, form);

  test('a snapshot is listed with its parent chain and the current entry; the config carries parent', async () => {
    const vmid = await clone();
    expect(await list(vmid)).toEqual([expect.objectContaining({ name: 'current', description: 'You are here!', running: 0 })]);
    expect(await snap(vmid, { snapname: 'before-upgrade', description: 'sebelum upgrade' })).toMatchObject({
      exitstatus: 'OK',
      type: 'qmsnapshot',
      id: String(vmid),
    });
    expect(await snap(vmid, { snapname: 'second' })).toMatchObject({ exitstatus: 'OK' });
    const items = await list(vmid);
    expect(items.map((i) => i.name)).toEqual(['before-upgrade', 'second', 'current']);
    expect(items[0]).toMatchObject({ vmstate: 0, description: 'sebelum upgrade' });
    expect(items[0]?.parent).toBeUndefined();
    expect(items[1]).toMatchObject({ parent: 'before-upgrade', description: '' });
    expect(items[2]).toMatchObject({ parent: 'second' });
    expect(typeof items[0]?.snaptime).toBe('number');
    const cfg = (await api.get(`/nodes/pve1/qemu/${vmid}/config`)).body?.data as Record<string, unknown>;
    expect(cfg.parent).toBe('second');
    const snapCfg = (await api.get(`/nodes/pve1/qemu/${vmid}/snapshot/second/config`)).body?.data as Record<string, unknown>;
    expect(snapCfg).toMatchObject({ parent: 'before-upgrade', scsi0: cfg.scsi0 });
    expect(typeof snapCfg.snaptime).toBe('number');
    expect((await api.get(`/nodes/pve1/qemu/${vmid}/config`, { snapshot: 'second' })).body?.data).toMatchObject({
      parent: 'before-upgrade',
    });
    expect((await api.get(`/nodes/pve1/qemu/${vmid}/snapshot/second`)).body?.data).toEqual([{ cmd: 'rollback' }, { cmd: 'config' }]);
  });

  test('names: current and pending are reserved, pve-configid format, at most 40 characters, no duplicates', async () => {
    const vmid = await clone();
    const current = await api.post(`/nodes/pve1/qemu/${vmid}/snapshot`, { snapname: 'current' });
    expect([current.status, current.reason]).toEqual([500, "unable to use snapshot name 'current' (reserved name)"]);
    const pending = await api.post(`/nodes/pve1/qemu/${vmid}/snapshot`, { snapname: 'Pending' });
    expect([pending.status, pending.reason]).toEqual([500, "unable to use snapshot name 'pending' (reserved name)"]);
    const digit = await api.post(`/nodes/pve1/qemu/${vmid}/snapshot`, { snapname: '1st' });
    expect(digit.status).toBe(400);
    expect(digit.body?.errors).toEqual({ snapname: "invalid format - invalid configuration ID '1st'\n" });
    const long = await api.post(`/nodes/pve1/qemu/${vmid}/snapshot`, { snapname: 'a'.repeat(41) });
    expect(long.body?.errors).toEqual({ snapname: 'value may only be 40 characters long\n' });
    expect((await snap(vmid, { snapname: 'a'.repeat(40) })).exitstatus).toBe('OK');
    expect((await snap(vmid, { snapname: 'a'.repeat(40) })).exitstatus).toBe(`snapshot name '${'a'.repeat(40)}' already used`);
    // the failed attempt left no lock behind
    expect(sim.state.vm(vmid)?.lock).toBeUndefined();
    const missing = await api.get(`/nodes/pve1/qemu/${vmid}/snapshot/nope/config`);
    expect([missing.status, missing.reason]).toEqual([500, "snapshot 'nope' does not exist"]);
  });

  test('the snapshot lock is held while the task runs; a locked VM refuses a snapshot', async () => {
    const vmid = await clone();
    sim.faults.slowTasks('qmsnapshot', 200);
    const r = await api.post(`/nodes/pve1/qemu/${vmid}/snapshot`, { snapname: 'slow' });
    const upid = String(r.body?.data);
    await eventually(async () => sim.state.vm(vmid)?.lock === 'snapshot');
    const during = await api.post(`/nodes/pve1/qemu/${vmid}/config`, { cores: 2 });
    expect(during.reason).toBe('VM is locked (snapshot)');
    expect((await api.waitTask(upid, 20_000)).exitstatus).toBe('OK');
    sim.faults.reset();
    sim.faults.setConfigLock(vmid, 'backup');
    expect((await snap(vmid, { snapname: 'other' })).exitstatus).toBe('VM is locked (backup)');
    expect((await api.task('DELETE', `/nodes/pve1/qemu/${vmid}/snapshot/slow`)).exitstatus).toBe('VM is locked (backup)');
    expect((await api.task('POST', `/nodes/pve1/qemu/${vmid}/snapshot/slow/rollback`)).exitstatus).toBe('VM is locked (backup)');
  });

  test('RAM: a running VM saves its vmstate and a rollback to it resumes the VM; without RAM the rollback leaves it stopped', async () => {
    const vmid = await clone();
    expect((await snap(vmid, { snapname: 'cold', vmstate: 1 })).exitstatus).toBe('OK');
    expect((await api.task('POST', `/nodes/pve1/qemu/${vmid}/status/start`)).exitstatus).toBe('OK');
    expect((await snap(vmid, { snapname: 'warm', vmstate: 1 })).exitstatus).toBe('OK');
    expect((await snap(vmid, { snapname: 'disk-only' })).exitstatus).toBe('OK');
    const items = await list(vmid);
    expect(items.find((i) => i.name === 'cold')?.vmstate).toBe(0);
    expect(items.find((i) => i.name === 'warm')?.vmstate).toBe(1);
    expect(items.find((i) => i.name === 'current')?.running).toBe(1);
    const warm = (await api.get(`/nodes/pve1/qemu/${vmid}/snapshot/warm/config`)).body?.data as Record<string, unknown>;
    expect(warm.vmstate).toBe(`ceph:vm-${vmid}-state-warm`);
    expect(typeof warm.runningmachine).toBe('string');

    await api.put(`/nodes/pve1/qemu/${vmid}/config`, { cores: 4 });
    const back = await api.task('POST', `/nodes/pve1/qemu/${vmid}/snapshot/disk-only/rollback`);
    expect(back).toMatchObject({ exitstatus: 'OK', type: 'qmrollback' });
    const after = sim.state.vm(vmid);
    expect(after?.status).toBe('stopped');
    expect(after?.config.parent).toBe('disk-only');
    expect(after?.config.cores).toBe('1');
    expect(after?.config.runningmachine).toBeUndefined();

    expect((await api.task('POST', `/nodes/pve1/qemu/${vmid}/snapshot/warm/rollback`)).exitstatus).toBe('OK');
    expect(sim.state.vm(vmid)?.status).toBe('running');
    expect((await api.task('POST', `/nodes/pve1/qemu/${vmid}/snapshot/cold/rollback`, { start: 1 })).exitstatus).toBe('OK');
    expect(sim.state.vm(vmid)).toMatchObject({ status: 'running', config: expect.objectContaining({ parent: 'cold' }) });
  });

  test('delete relinks the parent chain and drops the section; a missing snapshot fails the task', async () => {
    const vmid = await clone();
    for (const name of ['one', 'two', 'three']) expect((await snap(vmid, { snapname: name })).exitstatus).toBe('OK');
    const del = await api.task('DELETE', `/nodes/pve1/qemu/${vmid}/snapshot/two`);
    expect(del).toMatchObject({ exitstatus: 'OK', type: 'qmdelsnapshot' });
    const items = await list(vmid);
    expect(items.map((i) => [i.name, i.parent])).toEqual([
      ['one', undefined],
      ['three', 'one'],
      ['current', 'three'],
    ]);
    expect((await api.task('DELETE', `/nodes/pve1/qemu/${vmid}/snapshot/three`)).exitstatus).toBe('OK');
    expect(sim.state.vm(vmid)?.config.parent).toBe('one');
    expect((await api.task('DELETE', `/nodes/pve1/qemu/${vmid}/snapshot/three`)).exitstatus).toBe("snapshot 'three' does not exist");
    expect(sim.state.vm(vmid)?.lock).toBeUndefined();
    const tmpl = await api.post(`/nodes/pve1/qemu/${vmid}/template`);
    expect(tmpl.reason).toBe('unable to create template, because VM contains snapshots');
  });

  test('storage rules: raw on a directory storage cannot snapshot, qcow2 can; ZFS rolls back only to the newest', async () => {
    const raw = await clone({ storage: 'files' });
    expect(sim.state.vm(raw)?.config.scsi0).toMatch(new RegExp(`^files:${raw}/vm-${raw}-disk-0\\.raw,`));
    expect((await snap(raw, { snapname: 'nope' })).exitstatus).toBe('snapshot feature is not available');
    expect(sim.state.vm(raw)?.lock).toBeUndefined();
    expect((await list(raw)).map((i) => i.name)).toEqual(['current']);

    const qcow = await clone({ storage: 'files', format: 'qcow2' });
    expect((await snap(qcow, { snapname: 'fine' })).exitstatus).toBe('OK');

    const zfs = await clone({ storage: 'tank' });
    expect((await snap(zfs, { snapname: 'older' })).exitstatus).toBe('OK');
    expect((await snap(zfs, { snapname: 'newer' })).exitstatus).toBe('OK');
    expect((await api.task('POST', `/nodes/pve1/qemu/${zfs}/snapshot/older/rollback`)).exitstatus).toBe(
      `can't rollback, 'older' is not most recent snapshot on 'tank:vm-${zfs}-disk-0'`,
    );
    expect((await api.task('POST', `/nodes/pve1/qemu/${zfs}/snapshot/newer/rollback`)).exitstatus).toBe('OK');
  });

  test('a template cannot be snapshotted; PUT snapshot config sets the description', async () => {
    expect((await snap(9000, { snapname: 'x1' })).exitstatus).toBe("you can't take a snapshot if it's a template");
    const vmid = await clone();
    expect((await snap(vmid, { snapname: 'named' })).exitstatus).toBe('OK');
    const put = await api.put(`/nodes/pve1/qemu/${vmid}/snapshot/named/config`, { description: 'catatan' });
    expect(put.status).toBe(200);
    expect((await list(vmid))[0]?.description).toBe('catatan');
  });

  test('clone from a snapshot copies the snapshot, not the current config, and no snapshot bookkeeping', async () => {
    const vmid = await clone();
    expect((await snap(vmid, { snapname: 'base' })).exitstatus).toBe('OK');
    await api.put(`/nodes/pve1/qemu/${vmid}/config`, { cores: 4 });
    const missing = await api.post(`/nodes/pve1/qemu/${vmid}/clone`, { newid: nextId, snapname: 'nope' });
    expect([missing.status, missing.reason]).toEqual([500, "snapshot 'nope' does not exist"]);
    const linked = await api.post(`/nodes/pve1/qemu/${vmid}/clone`, { newid: nextId, snapname: 'base', full: 0 });
    expect(linked.reason).toBe(`Linked clone feature is not supported for a snapshot of 'ceph:vm-${vmid}-disk-0' (scsi0)`);
    const copy = nextId++;
    expect((await api.task('POST', `/nodes/pve1/qemu/${vmid}/clone`, { newid: copy, snapname: 'base', full: 1 })).exitstatus).toBe('OK');
    const cfg = sim.state.vm(copy)?.config ?? {};
    expect(cfg.cores).toBe('1');
    expect(cfg.parent).toBeUndefined();
    expect(cfg.snaptime).toBeUndefined();
    // an ordinary clone of a VM with snapshots does not inherit its parent either
    const plain = nextId++;
    expect((await api.task('POST', `/nodes/pve1/qemu/${vmid}/clone`, { newid: plain, full: 1 })).exitstatus).toBe('OK');
    expect(sim.state.vm(plain)?.config).toMatchObject({ cores: '4' });
    expect(sim.state.vm(plain)?.config.parent).toBeUndefined();

    const zfs = await clone({ storage: 'tank' });
    expect((await snap(zfs, { snapname: 'z1' })).exitstatus).toBe('OK');
    const refused = await api.post(`/nodes/pve1/qemu/${zfs}/clone`, { newid: nextId, snapname: 'z1', full: 1 });
    expect(refused.reason).toBe(`Full clone feature is not supported for a snapshot of 'tank:vm-${zfs}-disk-0' (scsi0)`);
  });
});
