import { checkDnsName, checkIpConfig, checkTagList, checkUrlEncoded, formatSize, normaliseTags, parseSize } from './formats';
import { parseNet, printNet } from './net';
import { createRng } from '../util/rng';

describe('PVE formats', () => {
  test('dns-name: no underscores, no leading/trailing hyphen', () => {
    expect(checkDnsName('vps-10042')).toBeUndefined();
    expect(checkDnsName('vps.kalteng.go.id')).toBeUndefined();
    for (const bad of ['vps_1', '-vps', 'vps-', 'vps..x', '', 'vps 1'])
      expect(checkDnsName(bad)).toBe('value does not look like a valid DNS name');
  });

  test('ipconfig: static, dhcp, v6, gateway rules', () => {
    expect(checkIpConfig('ip=10.0.0.5/24,gw=10.0.0.1')).toBeUndefined();
    expect(checkIpConfig('ip=dhcp,ip6=auto')).toBeUndefined();
    expect(checkIpConfig('ip6=2001:db8::5/64,gw6=2001:db8::1')).toBeUndefined();
    expect(checkIpConfig('ip=10.0.0.5,gw=10.0.0.1')).toMatch(/invalid IPv4 address\/CIDR/);
    expect(checkIpConfig('ip=10.0.0.5/33')).toMatch(/invalid IPv4/);
    expect(checkIpConfig('ip=dhcp,gw=10.0.0.1')).toBe('gateway specified without specifying an IP address');
    expect(checkIpConfig('ip=10.0.0.5/24,dns=1.1.1.1')).toMatch(/dns: property is not defined/);
    expect(checkIpConfig('ip=10.0.0.5/24,,gw=1.1.1.1')).toBe('format error');
  });

  test('tags and urlencoded', () => {
    expect(normaliseTags('Prod, web;web  b2')).toBe('b2;prod;web');
    expect(checkTagList('ok;also-ok+1.2')).toBeUndefined();
    expect(checkTagList('bad/tag')).toMatch(/invalid characters/);
    expect(checkUrlEncoded(encodeURIComponent('ssh-ed25519 AAAA+/= me@x\n'))).toBeUndefined();
    expect(checkUrlEncoded('ssh-ed25519+AAAA')).toBe('invalid urlencoded string');
  });

  test('sizes are powers of 1024 and print like PVE', () => {
    expect(parseSize('+10G')).toEqual({ add: true, bytes: 10 * 1024 ** 3 });
    expect(parseSize('1.5G')).toEqual({ add: false, bytes: 1.5 * 1024 ** 3 });
    expect(parseSize('512')).toEqual({ add: false, bytes: 512 });
    expect(parseSize('-1G')).toBeUndefined();
    expect(formatSize(3584 * 1024 ** 2)).toBe('3584M');
    expect(formatSize(32 * 1024 ** 3)).toBe('32G');
  });

  test('net: model=MAC first, keys sorted, MAC generated, bad values described', () => {
    const dev = parseNet('virtio,bridge=vmbr0,tag=100,firewall=1');
    if (typeof dev === 'string') throw new Error(dev);
    expect(printNet(dev, createRng(1))).toMatch(/^virtio=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},bridge=vmbr0,firewall=1,tag=100$/);
    expect(parseNet('virtio=bc:24:11:aa:bb:cc,bridge=vmbr0')).toMatchObject({ macaddr: 'BC:24:11:AA:BB:CC' });
    expect(parseNet('virtio=01:00:00:00:00:01')).toMatch(/unicast MAC/);
    expect(parseNet('virtio,tag=x')).toMatch(/tag: type check/);
    expect(parseNet('bridge=vmbr0')).toMatch(/model: property is missing/);
    expect(parseNet('virtio,evil=1')).toMatch(/evil: property is not defined/);
  });
});
