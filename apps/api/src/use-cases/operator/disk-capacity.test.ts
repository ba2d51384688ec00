import { clusterDiskGiB, nodeDiskGiB } from './disk-capacity';

const GIB = 1024 ** 3;

describe('disk capacity from the storage snapshot', () => {
  it('should count only available storages that hold VM images, and say unknown when none does', () => {
    expect(
      nodeDiskGiB([
        { storage: 'local', shared: false, available: true, content: ['iso', 'vztmpl', 'backup'], totalBytes: 100 * GIB },
        { storage: 'local-lvm', shared: false, available: true, content: ['images'], totalBytes: 250.25 * GIB },
        { storage: 'down', shared: false, available: false, content: ['images'], totalBytes: 999 * GIB },
      ]),
    ).toBe(250.3);
    expect(nodeDiskGiB([{ storage: 'local', shared: false, available: true, content: ['iso'], totalBytes: GIB }])).toBeNull();
    // Snapshots taken before content was recorded do not guess.
    expect(nodeDiskGiB([{ storage: 'old', shared: false, available: true, totalBytes: GIB }])).toBeNull();
  });

  it('should count a shared storage once across nodes and every local one', () => {
    const shared = { storage: 'ceph', shared: true, available: true, content: ['images'], totalBytes: 1000 * GIB };
    expect(
      clusterDiskGiB([
        { storages: [shared, { storage: 'local-lvm', shared: false, available: true, content: ['images'], totalBytes: 10 * GIB }] },
        { storages: [shared, { storage: 'local-lvm', shared: false, available: true, content: ['images'], totalBytes: 20 * GIB }] },
      ]),
    ).toBe(1030);
    expect(clusterDiskGiB([{ storages: [] }])).toBeNull();
  });
});
