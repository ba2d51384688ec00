import { ZVmConfig } from '@betang/proxmox';
import { formatGiB } from './disk-size';
import { bootDisk, macOf } from './pve-vm';
import { ipconfig0Value, net0Value } from './vm-spec';

describe('pve-vm helpers', () => {
  it('macOf should read the model=MAC part and ignore look-alikes', () => {
    expect(macOf('virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,firewall=1')).toBe('bc:24:11:aa:bb:cc');
    expect(macOf('bridge=vmbr0,virtio=BC:24:11:AA:BB:CC')).toBe('bc:24:11:aa:bb:cc');
    expect(macOf('virtio,bridge=vmbr0')).toBeUndefined();
    expect(macOf(undefined)).toBeUndefined();
    expect(macOf('virtio=BC:24:11:AA:BB,bridge=x')).toBeUndefined();
  });

  it('bootDisk should find the first real disk and read its size exactly, in bytes', () => {
    const cfg = (o: Record<string, string>) => ZVmConfig.parse(o);
    const MiB = 1024 ** 2;
    expect(bootDisk(cfg({ ide2: 'ceph:vm-1-cloudinit,media=cdrom', scsi0: 'ceph:vm-1-disk-0,size=3G' }))).toEqual({
      key: 'scsi0',
      sizeBytes: 3 * 1024 * MiB,
    });
    expect(bootDisk(cfg({ virtio0: 'local-lvm:vm-1-disk-0,iothread=1,size=2048M' }))).toEqual({ key: 'virtio0', sizeBytes: 2048 * MiB });
    expect(bootDisk(cfg({ scsi0: 'x:vm-1-disk-0,size=1T' }))).toEqual({ key: 'scsi0', sizeBytes: 1024 ** 4 });
    // 3584M is 3.5 GiB: never rounded up to the 4 GiB a request may ask for
    expect(bootDisk(cfg({ sata0: 'x:vm-1-disk-0,size=3584M' }))).toEqual({ key: 'sata0', sizeBytes: 3584 * MiB });
    expect(bootDisk(cfg({ scsi0: 'x:vm-1-disk-0,size=512K,ssd=1' }))).toEqual({ key: 'scsi0', sizeBytes: 512 * 1024 });
    expect(bootDisk(cfg({ scsi0: 'x:vm-1-disk-0,size=1073741824' }))).toEqual({ key: 'scsi0', sizeBytes: 1024 * MiB });
    expect(bootDisk(cfg({ ide0: 'cdrom,media=cdrom' }))).toBeUndefined();
    expect(bootDisk(cfg({ scsi0: 'x:vm-1-disk-0,size=3P' }))).toBeUndefined();
    expect(bootDisk(cfg({ scsi0: 'x:vm-1-disk-0,size=-1G' }))).toBeUndefined();
  });

  it('formatGiB should say 3.50 GiB, not 4', () => {
    expect(formatGiB(3584 * 1024 ** 2)).toBe('3.50 GiB');
    expect(formatGiB(20 * 1024 ** 3)).toBe('20 GiB');
  });

  it('net0Value should keep the MAC and add VLAN and firewall; ipconfig0 is static', () => {
    const lease = {
      allocationId: 'a',
      address: '10.20.0.15',
      poolId: 'p',
      prefix: 24,
      gateway: '10.20.0.1',
      bridge: 'vmbr1',
      vlanTag: 42,
      dnsServers: [],
      searchDomain: null,
    };
    expect(net0Value(lease, 'bc:24:11:aa:bb:cc')).toBe('virtio=BC:24:11:AA:BB:CC,bridge=vmbr1,firewall=1,tag=42');
    expect(net0Value({ ...lease, vlanTag: null }, undefined)).toBe('virtio,bridge=vmbr1,firewall=1');
    expect(ipconfig0Value(lease)).toBe('ip=10.20.0.15/24,gw=10.20.0.1');
  });
});
