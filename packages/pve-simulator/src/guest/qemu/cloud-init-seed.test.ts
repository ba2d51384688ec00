import { createHash } from 'node:crypto';
import { hostnameAndFqdn, networkConfig, noCloudSeed, parseResolvConf, prefixToMask, userData } from './cloud-init-seed';
import { userNetFor } from './qemu-guests';

// What PVE's Cloudinit.pm writes for these configs (generate_nocloud), spelled out by hand.
const KEY_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHl2dW1teWtleWZvcnRlc3RzMDEyMzQ1Njc4OTAxMjM0NTY3 budi@kalteng';
const KEY_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGFub3RoZXJrZXlmb3J0ZXN0czAxMjM0NTY3ODkwMTIzNDU2 betang';
const conf: Record<string, string> = {
  name: 'app-dinkes',
  ciuser: 'betang',
  sshkeys: encodeURIComponent(`${KEY_A}\n${KEY_B}\n`),
  ipconfig0: 'ip=10.60.0.21/24,gw=10.60.0.1',
  nameserver: '10.60.0.2 10.60.0.3',
  searchdomain: 'kalteng.go.id',
  net0: 'virtio=BC:24:11:0A:1B:2C,bridge=vmbr0,firewall=1',
  ide2: 'ceph:vm-100021-cloudinit,media=cdrom',
};
const hostDns = { nameservers: ['192.0.2.53'], search: ['host.example'] };

describe('NoCloud seed as PVE writes it', () => {
  it('should write user-data with hostname, fqdn, the ciuser, its keys and package_upgrade by default', () => {
    expect(userData(conf, 100021)).toBe(
      [
        '#cloud-config',
        'hostname: app-dinkes',
        'manage_etc_hosts: true',
        'fqdn: app-dinkes.kalteng.go.id',
        'user: betang',
        'ssh_authorized_keys:',
        `  - ${KEY_A}`,
        `  - ${KEY_B}`,
        'chpasswd:',
        '  expire: False',
        'users:',
        '  - default',
        'package_upgrade: true',
        '',
      ].join('\n'),
    );
  });

  it('should leave package_upgrade out only when ciupgrade is 0 (the schema default is 1)', () => {
    expect(userData({ ...conf, ciupgrade: '0' }, 1)).not.toContain('package_upgrade');
    expect(userData({ ...conf, ciupgrade: '1' }, 1)).toContain('package_upgrade: true\n');
  });

  it('should name an unnamed VM VM<vmid> and keep a dotted name as the fqdn', () => {
    expect(hostnameAndFqdn({}, 123)).toEqual({ hostname: 'VM123', fqdn: 'VM123' });
    expect(hostnameAndFqdn({ name: 'web.example.org', searchdomain: 'x' }, 1)).toEqual({ hostname: 'web', fqdn: 'web.example.org' });
    const root = userData({ ciuser: 'root' }, 5);
    expect(root).toContain('user: root\ndisable_root: False\n');
    expect(root).not.toContain('users:');
  });

  it('should write network-config v1 matched by the lower-case MAC, with the VM nameservers', () => {
    expect(networkConfig(conf, hostDns)).toBe(
      [
        'version: 1',
        'config:',
        '    - type: physical',
        '      name: eth0',
        "      mac_address: 'bc:24:11:0a:1b:2c'",
        '      subnets:',
        '      - type: static',
        "        address: '10.60.0.21'",
        "        netmask: '255.255.255.0'",
        "        gateway: '10.60.0.1'",
        '    - type: nameserver',
        '      address:',
        "      - '10.60.0.2'",
        "      - '10.60.0.3'",
        '      search:',
        "      - 'kalteng.go.id'",
        '',
      ].join('\n'),
    );
  });

  it("should copy the host's resolver when the VM sets none, and skip NICs without ipconfig", () => {
    const text = networkConfig(
      { net0: 'virtio=BC:24:11:00:00:01', net1: 'virtio=BC:24:11:00:00:02', ipconfig1: 'ip=dhcp,ip6=auto' },
      hostDns,
    );
    expect(text).not.toContain('eth0');
    expect(text).toContain(
      "      name: eth1\n      mac_address: 'bc:24:11:00:00:02'\n      subnets:\n      - type: dhcp4\n      - type: ipv6_slaac\n",
    );
    expect(text).toContain("      address:\n      - '192.0.2.53'\n      search:\n      - 'host.example'\n");
    expect(() => networkConfig({ net0: 'virtio,bridge=vmbr0', ipconfig0: 'ip=dhcp' }, hostDns)).toThrow(
      "network interface 'net0' has no mac address",
    );
  });

  it('should derive instance-id from user-data + network-config, so a changed config is a new instance', () => {
    const seed = noCloudSeed(conf, 100021, hostDns);
    const id = createHash('sha1')
      .update(seed['user-data'] + seed['network-config'])
      .digest('hex');
    expect(seed['meta-data']).toBe(`instance-id: ${id}\n`);
    expect(seed['vendor-data']).toBe('');
    expect(noCloudSeed({ ...conf, name: 'other' }, 100021, hostDns)['meta-data']).not.toBe(seed['meta-data']);
  });

  it('should read resolv.conf like PVE (three nameservers, the search line)', () => {
    expect(
      parseResolvConf('# x\nsearch a.b c.d\nnameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\nnameserver 4.4.4.4\n'),
    ).toEqual({ nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'], search: ['a.b', 'c.d'] });
    expect(prefixToMask(20)).toBe('255.255.240.0');
  });
});

describe('user-mode network of a qemu guest', () => {
  it('should put the guest in its ipconfig0 subnet with its gateway as the router', () => {
    expect(userNetFor('ip=10.60.0.21/24,gw=10.60.0.1')).toEqual({ net: '10.60.0.0/24', host: '10.60.0.1', guest: '10.60.0.21' });
    expect(userNetFor('ip=172.16.5.9/16,gw=10.0.0.1')).toEqual({ net: '172.16.0.0/16', guest: '172.16.5.9' });
    expect(userNetFor('ip=dhcp')).toEqual({ net: '10.0.2.0/24' });
  });
});
