import type { NodeCapacity } from '@betang/proxmox';
import { chooseNode, diskStorageOf, type InFlight } from './choose-node';

const GiB = 1024 ** 3;
const node = (name: string, memFreeGiB: number, cephFreeGiB = 1000, online = true): NodeCapacity => ({
  node: name,
  online,
  statsVisible: true,
  memFreeBytes: memFreeGiB * GiB,
  storages: [
    { storage: 'ceph', content: ['images'], shared: true, available: true, freeBytes: cephFreeGiB * GiB },
    { storage: 'local-lvm', content: ['images'], shared: false, available: true, freeBytes: 500 * GiB },
  ],
});
const need = (storage: string | null, memGiB = 4, diskGiB = 40) => ({
  sources: [{ vmid: 9000, node: 'pve1', storage }],
  memoryBytes: memGiB * GiB,
  diskBytes: diskGiB * GiB,
});
/** The node chosen, or why none was. */
const outcome = (p: ReturnType<typeof chooseNode>) => (p.ok ? { ok: true, node: p.node } : p);

describe('chooseNode', () => {
  it('should spread over nodes with shared storage, most free memory first', () => {
    expect(outcome(chooseNode([node('pve1', 10), node('pve2', 60), node('pve3', 30)], need('ceph')))).toEqual({ ok: true, node: 'pve2' });
  });
  it('should stay on the template node when its storage is local', () => {
    expect(outcome(chooseNode([node('pve1', 10), node('pve2', 60)], need('local-lvm')))).toEqual({ ok: true, node: 'pve1' });
  });
  it('should skip offline nodes and nodes without room', () => {
    expect(outcome(chooseNode([node('pve1', 60, 1000, false), node('pve2', 2), node('pve3', 8)], need('ceph', 4)))).toEqual({
      ok: true,
      node: 'pve3',
    });
  });
  it('should explain why nothing fits', () => {
    expect(outcome(chooseNode([node('pve1', 3), node('pve2', 2)], need('ceph', 4)))).toEqual({
      ok: false,
      reason: 'memory',
      node: 'pve1',
      freeBytes: 3 * GiB,
    });
    expect(outcome(chooseNode([node('pve1', 64, 10)], need('ceph', 4, 40)))).toEqual({
      ok: false,
      reason: 'disk',
      node: 'pve1',
      freeBytes: 10 * GiB,
      storage: 'ceph',
    });
    expect(outcome(chooseNode([node('pve1', 64, 1000, false)], need('local-lvm')))).toEqual({ ok: false, reason: 'offline', node: 'pve1' });
  });
});

describe('chooseNode with VMs in flight (placed, not yet visible in the lagging statistics)', () => {
  const flight = (n: string, memGiB = 4, diskGiB = 40, storage: string | null = 'ceph') => ({
    node: n,
    storage,
    memoryBytes: memGiB * GiB,
    diskBytes: diskGiB * GiB,
  });

  it('should spread a burst round-robin instead of piling onto the node the snapshot shows emptiest', () => {
    const nodes = [node('pve1', 60), node('pve2', 64), node('pve3', 62)];
    const inFlight: ReturnType<typeof flight>[] = [];
    const picked: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = chooseNode(nodes, need('ceph'), inFlight);
      if (!p.ok) throw new Error('no placement');
      picked.push(p.node);
      inFlight.push(flight(p.node));
    }
    expect(picked).toEqual(['pve2', 'pve3', 'pve1', 'pve2', 'pve3', 'pve1']);
  });

  it('should count in-flight memory and shared-storage disk against what the snapshot reports', () => {
    // pve2 looks emptiest but three 20 GiB VMs are already on their way to it.
    expect(
      outcome(
        chooseNode([node('pve1', 30), node('pve2', 64)], need('ceph', 20), [flight('pve2', 20), flight('pve2', 20), flight('pve2', 20)]),
      ),
    ).toEqual({ ok: true, node: 'pve1' });
    expect(outcome(chooseNode([node('pve1', 10), node('pve2', 10)], need('ceph', 8), [flight('pve1', 8), flight('pve2', 8)]))).toEqual({
      ok: false,
      reason: 'memory',
      node: 'pve1',
      freeBytes: 2 * GiB,
    });
    // Shared storage: 100 GiB free cluster-wide, 80 GiB already being cloned elsewhere.
    expect(outcome(chooseNode([node('pve1', 64, 100), node('pve2', 64, 100)], need('ceph', 4, 40), [flight('pve1', 4, 80)]))).toEqual({
      ok: false,
      reason: 'disk',
      node: 'pve2',
      freeBytes: 20 * GiB,
      storage: 'ceph',
    });
    // Local storage: another node's clones do not use it.
    expect(outcome(chooseNode([node('pve1', 64)], need('local-lvm', 4, 400), [flight('pve2', 4, 400, 'local-lvm')]))).toEqual({
      ok: true,
      node: 'pve1',
    });
  });
});

describe('chooseNode with a template per node on local storage', () => {
  const localOnly = (name: string, memFreeGiB: number, lvmFreeGiB = 500): NodeCapacity => ({
    node: name,
    online: true,
    statsVisible: true,
    memFreeBytes: memFreeGiB * GiB,
    storages: [{ storage: 'local-lvm', content: ['images'], shared: false, available: true, freeBytes: lvmFreeGiB * GiB }],
  });
  const perNode = {
    sources: [
      { vmid: 9000, node: 'pve1', storage: 'local-lvm' },
      { vmid: 9100, node: 'pve2', storage: 'local-lvm' },
      { vmid: 9200, node: 'pve3', storage: 'local-lvm' },
    ],
    memoryBytes: 4 * GiB,
    diskBytes: 40 * GiB,
  };

  it('should spread a burst over every node, each VM cloned from the copy on its own node', () => {
    const nodes = [localOnly('pve1', 60), localOnly('pve2', 64), localOnly('pve3', 62)];
    const inFlight: InFlight[] = [];
    const chosen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = chooseNode(nodes, perNode, inFlight);
      if (!p.ok) throw new Error('no placement');
      expect(p.source.node).toBe(p.node);
      chosen.push(`${p.node}<-${p.source.vmid}`);
      inFlight.push({ node: p.node, storage: 'local-lvm', memoryBytes: 4 * GiB, diskBytes: 40 * GiB });
    }
    expect(chosen).toEqual(['pve2<-9100', 'pve3<-9200', 'pve1<-9000', 'pve2<-9100', 'pve3<-9200', 'pve1<-9000']);
  });

  it('should never place on a node without a copy when the only copy is on local storage', () => {
    const nodes = [localOnly('pve1', 8), localOnly('pve2', 64), localOnly('pve3', 64)];
    const one = { ...perNode, sources: [perNode.sources[0]!] };
    expect(chooseNode(nodes, one)).toEqual({ ok: true, node: 'pve1', source: perNode.sources[0] });
    expect(outcome(chooseNode(nodes, { ...one, memoryBytes: 16 * GiB }))).toEqual({
      ok: false,
      reason: 'memory',
      node: 'pve1',
      freeBytes: 8 * GiB,
    });
  });

  it('should count local disk in flight only on its own node', () => {
    const nodes = [localOnly('pve1', 64, 100), localOnly('pve2', 64, 100)];
    const p = chooseNode(nodes, perNode, [{ node: 'pve1', storage: 'local-lvm', memoryBytes: GiB, diskBytes: 80 * GiB }]);
    expect(outcome(p)).toEqual({ ok: true, node: 'pve2' });
  });

  it("should prefer a node's own copy over the shared one and use the shared one where a node has none", () => {
    const nodes = [node('pve1', 10), node('pve2', 64), node('pve3', 30)];
    const mixed = {
      sources: [
        { vmid: 9000, node: 'pve1', storage: 'ceph' },
        { vmid: 9101, node: 'pve2', storage: 'local-lvm' },
      ],
      memoryBytes: 4 * GiB,
      diskBytes: 40 * GiB,
    };
    const first = chooseNode(nodes, mixed);
    expect(first).toEqual({ ok: true, node: 'pve2', source: mixed.sources[1] });
    const second = chooseNode(nodes, mixed, [{ node: 'pve2', storage: 'local-lvm', memoryBytes: 4 * GiB, diskBytes: 40 * GiB }]);
    expect(second).toEqual({ ok: true, node: 'pve3', source: mixed.sources[0] });
  });
});

describe('diskStorageOf', () => {
  it('should read the first data disk, not the CD-ROM or cloud-init drive', () => {
    expect(
      diskStorageOf({ ide2: 'ceph:vm-9000-cloudinit,media=cdrom', scsi0: 'ceph:base-9000-disk-0,size=3G', scsihw: 'virtio-scsi-pci' }),
    ).toBe('ceph');
    expect(diskStorageOf({ ide0: 'local:iso/debian.iso,media=cdrom', virtio0: 'local-lvm:vm-1-disk-0' })).toBe('local-lvm');
    expect(diskStorageOf({})).toBeNull();
  });
});
