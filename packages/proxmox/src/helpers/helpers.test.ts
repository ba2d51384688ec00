import { createPveClient } from '../client/pve-client';
import type { PveClient } from '../client/pve-client';
import type { FakePve } from '../testing/fake-pve';
import { createFakePve } from '../testing/fake-pve';
import type { FixtureServer, TestPki } from '../testing/https-fixture';
import { makeTestPki, startFixture } from '../testing/https-fixture';
import { CloneOutcomeUnknownError } from '../errors/clone-outcome-unknown-error';
import { classifyPveError } from '../errors/classify-pve-error';
import { cloneToFreeVmid } from '../clone/clone-to-free-vmid';
import { AmbiguousTagError, findVmByTag, findVmsByTag } from './find-vms-by-tag';
import { nextFreeVmid, VmidRangeExhaustedError } from '../clone/next-free-vmid';
import { clusterSnapshot, nodeCapacity } from './node-capacity';

describe('provisioning helpers against a scripted PVE', () => {
  let pki: TestPki;
  let srv: FixtureServer;
  let fake: FakePve;
  let a: PveClient;
  let b: PveClient;

  beforeAll(async () => {
    pki = makeTestPki();
    srv = await startFixture(pki, () => undefined);
  });
  beforeEach(() => {
    fake = createFakePve({ taskStartMs: 40, cloneMs: 120 });
    srv.setHandler(fake.handle);
    const opts = { baseUrl: srv.url, tokenId: 'provisioner@pve!worker', tokenSecret: 's3cret', ca: pki.caPem, timeoutMs: 2_000 };
    a = createPveClient(opts);
    b = createPveClient(opts);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    srv.requests.length = 0;
  });
  afterAll(() => srv.close());

  it('findVmsByTag should match normalised tags across separators and sort by vmid', async () => {
    fake.vms.set(10002, { vmid: 10002, node: 'pve1', config: { tags: 'betang;run-7' } });
    fake.vms.set(10001, { vmid: 10001, node: 'pve2', config: { tags: 'Run-7 other' } });
    fake.vms.set(10003, { vmid: 10003, node: 'pve1', config: { tags: 'run-70' } });
    expect((await findVmsByTag(a, 'RUN-7')).map((v) => v.vmid)).toEqual([10001, 10002]);
    await expect(findVmByTag(a, 'run-7')).rejects.toBeInstanceOf(AmbiguousTagError);
    expect((await findVmByTag(a, 'run-70'))?.vmid).toBe(10003);
    expect(await findVmByTag(a, 'run-8')).toBeUndefined();
    await expect(findVmsByTag(a, 'a;b')).rejects.toThrow(TypeError);
  });

  it('nextFreeVmid should skip listed, excluded and nextid-rejected ids', async () => {
    fake.vms.set(10000, { vmid: 10000, node: 'pve1', config: {} });
    expect(await nextFreeVmid(a, { min: 10000, max: 10010, exclude: [10001] })).toBe(10002);
    const calls = srv.requests.filter((r) => r.url.startsWith('/api2/json/cluster/nextid'));
    expect(calls.map((r) => r.url)).toEqual(['/api2/json/cluster/nextid?vmid=10002']);
    await expect(nextFreeVmid(a, { min: 10000, max: 10001, exclude: [10001] })).rejects.toBeInstanceOf(VmidRangeExhaustedError);
    await expect(nextFreeVmid(a, { min: 50, max: 10 })).rejects.toThrow(RangeError);
  });

  it('nextFreeVmid with a list read earlier should not list again, and still confirm with nextid', async () => {
    // 10000 exists but the earlier list did not show it (created since): nextid refuses it.
    fake.vms.set(10000, { vmid: 10000, node: 'pve1', config: {} });
    expect(await nextFreeVmid(a, { min: 10000, max: 10010, listedVmids: [10001] })).toBe(10002);
    expect(srv.requests.filter((r) => r.url.startsWith('/api2/json/cluster/resources'))).toHaveLength(0);
    expect(srv.requests.filter((r) => r.url.startsWith('/api2/json/cluster/nextid')).map((r) => r.url)).toEqual([
      '/api2/json/cluster/nextid?vmid=10000',
      '/api2/json/cluster/nextid?vmid=10002',
    ]);
  });

  it('clusterSnapshot should read VMs, nodes and storages with one call', async () => {
    fake.vms.set(10003, { vmid: 10003, node: 'pve1', config: {} });
    fake.nodes = [{ node: 'pve1', status: 'online', maxmem: 64 * 2 ** 30, mem: 16 * 2 ** 30, maxcpu: 32, cpu: 0.25 }];
    fake.storages = [{ node: 'pve1', storage: 'ceph', maxdisk: 5000, disk: 1000, shared: 1, content: 'images', plugintype: 'rbd' }];
    const snap = await clusterSnapshot(a);
    expect(snap.vms.map((v) => v.vmid)).toContain(10003);
    expect(snap.nodes).toEqual(await nodeCapacity(a));
    expect(srv.requests.filter((r) => r.url === '/api2/json/cluster/resources')).toHaveLength(1);
  });

  it('nodeCapacity should compute free memory and disk and flag hidden stats / offline nodes', async () => {
    fake.nodes = [
      { node: 'pve2', status: 'offline' },
      { node: 'pve1', status: 'online', maxmem: 64 * 2 ** 30, mem: 16 * 2 ** 30, maxcpu: 32, cpu: 0.25 },
    ];
    fake.storages = [
      { node: 'pve1', storage: 'local-lvm', maxdisk: 1000, disk: 400, shared: 0, content: 'images,rootdir', plugintype: 'lvmthin' },
      { node: 'pve1', storage: 'ceph', maxdisk: 5000, disk: 6000, shared: 1, content: 'images', plugintype: 'rbd' },
    ];
    const cap = await nodeCapacity(a);
    expect(cap.map((n) => n.node)).toEqual(['pve1', 'pve2']);
    expect(cap[0]).toMatchObject({ online: true, statsVisible: true, memFreeBytes: 48 * 2 ** 30, cpuCount: 32, cpuUsage: 0.25 });
    expect(cap[0]?.storages).toEqual([
      {
        storage: 'ceph',
        plugintype: 'rbd',
        content: ['images'],
        shared: true,
        available: true,
        totalBytes: 5000,
        usedBytes: 6000,
        freeBytes: 0,
      },
      {
        storage: 'local-lvm',
        plugintype: 'lvmthin',
        content: ['images', 'rootdir'],
        shared: false,
        available: true,
        totalBytes: 1000,
        usedBytes: 400,
        freeBytes: 600,
      },
    ]);
    expect(cap[1]).toMatchObject({ online: false, statsVisible: false, storages: [] });
  });

  const cloneOpts = (marker: string) => ({
    node: 'pve1',
    templateVmid: 9000,
    range: { min: 10000, max: 10050 },
    ownerMarker: marker,
    taskDeadlineMs: 5_000,
    name: 'vps-x',
  });

  it('two workers racing for one vmid: the loser fails the real way and moves on', async () => {
    // Both reserved 10000 (PVE reserves nothing); both POST before either task writes its config.
    const lostA: number[] = [];
    const lostB: number[] = [];
    const [ra, rb] = await Promise.all([
      cloneToFreeVmid(a, { ...cloneOpts('betang-run=a'), preferredVmid: 10000, onVmidLost: (v) => lostA.push(v) }),
      cloneToFreeVmid(b, { ...cloneOpts('betang-run=b'), preferredVmid: 10000, onVmidLost: (v) => lostB.push(v) }),
    ]);
    expect(new Set([ra.vmid, rb.vmid]).size).toBe(2);
    expect([ra.vmid, rb.vmid]).toContain(10000);
    const loser = ra.vmid === 10000 ? { r: rb, lost: lostB } : { r: ra, lost: lostA };
    expect(loser.lost).toEqual([10000]);
    expect(loser.r.attempts).toBe(2);
    expect(fake.vms.get(ra.vmid)?.config.description).toBe('betang-run=a');
    expect(fake.vms.get(rb.vmid)?.config.description).toBe('betang-run=b');
    const failed = [...fake.tasks.values()].filter((t) => t.exitstatus !== 'OK');
    expect(failed.map((t) => t.exitstatus)).toEqual(["can't lock file '/var/lock/qemu-server/lock-10000.conf' - got timeout"]);
  });

  it('a retried step adopts its own finished clone instead of cloning twice', async () => {
    const first = await cloneToFreeVmid(a, { ...cloneOpts('betang-run=c'), preferredVmid: 10005 });
    expect(first).toMatchObject({ vmid: 10005, adopted: false });
    const again = await cloneToFreeVmid(a, { ...cloneOpts('betang-run=c'), preferredVmid: 10005 });
    expect(again).toMatchObject({ vmid: 10005, adopted: true });
    expect([...fake.tasks.values()]).toHaveLength(1);
  });

  it('a sync "config file already exists" for a foreign VM picks the next id', async () => {
    fake.vms.set(10000, { vmid: 10000, node: 'pve1', config: { description: 'someone else' } });
    const r = await cloneToFreeVmid(a, { ...cloneOpts('betang-run=d') });
    expect(r.vmid).toBe(10001);
    const owned = await cloneToFreeVmid(b, { ...cloneOpts('betang-run=e'), preferredVmid: 10000 });
    expect(owned).toMatchObject({ vmid: 10002, lost: [10000] });
  });

  it('a clone POST whose answer is lost is never re-sent, and our VM is adopted', async () => {
    fake.loseNextCloneAnswer = true;
    const r = await cloneToFreeVmid(a, { ...cloneOpts('betang-run=f'), preferredVmid: 10010 });
    expect(r).toMatchObject({ vmid: 10010, adopted: true });
    expect(srv.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
  });

  it('a lost answer with no VM appearing yields CloneOutcomeUnknownError naming the id', async () => {
    fake = createFakePve({ taskStartMs: 60_000, cloneMs: 10 });
    srv.setHandler(fake.handle);
    fake.loseNextCloneAnswer = true;
    const err = await cloneToFreeVmid(a, {
      ...cloneOpts('betang-run=g'),
      preferredVmid: 10020,
      taskDeadlineMs: 2_000,
      lostAnswerGraceMs: 300,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloneOutcomeUnknownError);
    expect((err as CloneOutcomeUnknownError).vmid).toBe(10020);
    expect(classifyPveError(err)).toEqual({ kind: 'transient', code: 'outcome-unknown' });
    expect(srv.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
  });

  it('should refuse an unsafe owner marker', async () => {
    await expect(cloneToFreeVmid(a, { ...cloneOpts('bad marker\nx') })).rejects.toThrow(TypeError);
  });
});
