import type { NodeCapacity } from '@betang/proxmox';
import { chooseNode, diskStorageOf } from './choose-node';

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
const need = (storage: string | null, memGiB = 4, diskGiB = 40) => ({ templateNode: 'pve1', storage, memoryBytes: memGiB * GiB, diskBytes: diskGiB * GiB });

describe('chooseNode', () => {
  it('should spread over nodes with shared storage, most free memory first', () => {
    expect(chooseNode([node('pve1', 10), node('pve2', 60), node('pve3', 30)], need('ceph'))).toEqual({ ok: true, node: 'pve2' });
  });
  it('should stay on the template node when its storage is local', () => {
    expect(chooseNode([node('pve1', 10), node('pve2', 60)], need('local-lvm'))).toEqual({ ok: true, node: 'pve1' });
  });
  it('should skip offline nodes and nodes without room', () => {
    expect(chooseNode([node('pve1', 60, 1000, false), node('pve2', 2), node('pve3', 8)], need('ceph', 4))).toEqual({ ok: true, node: 'pve3' });
  });
  it('should explain why nothing fits', () => {
    expect(chooseNode([node('pve1', 3), node('pve2', 2)], need('ceph', 4))).toEqual({ ok: false, reason: 'memory', node: 'pve1', freeBytes: 3 * GiB });
    expect(chooseNode([node('pve1', 64, 10)], need('ceph', 4, 40))).toEqual({ ok: false, reason: 'disk', node: 'pve1', freeBytes: 10 * GiB });
    expect(chooseNode([node('pve1', 64, 1000, false)], need('local-lvm'))).toEqual({ ok: false, reason: 'offline', node: 'pve1' });
  });
});

describe('diskStorageOf', () => {
  it('should read the first data disk, not the CD-ROM or cloud-init drive', () => {
    expect(diskStorageOf({ ide2: 'ceph:vm-9000-cloudinit,media=cdrom', scsi0: 'ceph:base-9000-disk-0,size=3G', scsihw: 'virtio-scsi-pci' })).toBe('ceph');
    expect(diskStorageOf({ ide0: 'local:iso/debian.iso,media=cdrom', virtio0: 'local-lvm:vm-1-disk-0' })).toBe('local-lvm');
    expect(diskStorageOf({})).toBeNull();
  });
});
