import { authorizedKeysContent, sudoersContent } from './admin-user.step';
import { parseUfwAdded, ufwDefault } from './firewall.step';
import { hostsWithLoopbackName } from './hostname.step';
import { chronySourcesContent, timesyncdContent } from './ntp.step';
import { parseOfferedMethods } from './sshd-hardening.step';
import { zoneFromLocaltimeLink } from './timezone.step';

describe('hostsWithLoopbackName', () => {
  it('should put one 127.0.1.1 line after 127.0.0.1 and replace old ones', () => {
    const before = '127.0.0.1\tlocalhost\n127.0.1.1 old.example old\n::1 localhost\n127.0.1.1 other\n';
    expect(hostsWithLoopbackName(before, 'web-01')).toBe('127.0.0.1\tlocalhost\n127.0.1.1\tweb-01\n::1 localhost\n');
  });

  it('should be a fixed point once applied', () => {
    const once = hostsWithLoopbackName('127.0.0.1 localhost\n', 'a');
    expect(hostsWithLoopbackName(once, 'a')).toBe(once);
  });

  it('should keep the hosts file cloud-init writes at every boot (manage_etc_hosts) when it names the host', () => {
    const cloudInit =
      "# Your system has configured 'manage_etc_hosts' as True.\n127.0.1.1 web-01.kalteng.go.id web-01\n127.0.0.1 localhost\n\n::1 localhost ip6-localhost ip6-loopback\n";
    expect(hostsWithLoopbackName(cloudInit, 'web-01')).toBe(cloudInit);
    expect(hostsWithLoopbackName(cloudInit, 'web-02')).toBe(
      "# Your system has configured 'manage_etc_hosts' as True.\n127.0.0.1 localhost\n127.0.1.1\tweb-02\n\n::1 localhost ip6-localhost ip6-loopback\n",
    );
  });

  it('should cope with an empty file', () => {
    expect(hostsWithLoopbackName('', 'a')).toBe('127.0.1.1\ta\n');
  });
});

describe('parseUfwAdded', () => {
  it('should split simple rules from rules it must not guess at', () => {
    const out = "Added user rules (see 'ufw status' for running firewall):\nufw allow 22/tcp\nufw deny 25\nufw allow from 10.0.0.0/8\n";
    expect(parseUfwAdded(out)).toEqual({
      rules: [
        { action: 'allow', port: '22/tcp' },
        { action: 'deny', port: '25' },
      ],
      unparsed: ['ufw allow from 10.0.0.0/8'],
    });
    expect(parseUfwAdded('(None)\n')).toEqual({ rules: [], unparsed: [] });
  });
});

describe('small parsers and renderers', () => {
  it('should read ufw defaults with or without quotes', () => {
    expect(ufwDefault('DEFAULT_INPUT_POLICY="DROP"\nDEFAULT_OUTPUT_POLICY=ACCEPT\n', 'DEFAULT_INPUT_POLICY')).toBe('DROP');
    expect(ufwDefault('DEFAULT_OUTPUT_POLICY=ACCEPT\n', 'DEFAULT_OUTPUT_POLICY')).toBe('ACCEPT');
    expect(ufwDefault('', 'DEFAULT_INPUT_POLICY')).toBe('');
  });

  it('should read the methods sshd offers', () => {
    expect(parseOfferedMethods('betang@127.0.0.1: Permission denied (publickey,password).')).toEqual(['publickey', 'password']);
    expect(parseOfferedMethods('ssh: connect to host 127.0.0.1 port 22: Connection refused')).toBeNull();
  });

  it('should read the zone from an /etc/localtime link', () => {
    expect(zoneFromLocaltimeLink('../usr/share/zoneinfo/Asia/Jakarta')).toBe('Asia/Jakarta');
    expect(zoneFromLocaltimeLink('/usr/share/zoneinfo/Etc/UTC')).toBe('Etc/UTC');
    expect(zoneFromLocaltimeLink('')).toBe('');
  });

  it('should render config files deterministically', () => {
    expect(authorizedKeysContent(['a', 'b'])).toBe('a\nb\n');
    expect(sudoersContent('opd')).toMatch(/^opd ALL=\(ALL:ALL\) NOPASSWD:ALL$/m);
    expect(timesyncdContent(['a', 'b'])).toMatch(/^NTP=a b$/m);
    expect(chronySourcesContent(['a'])).toMatch(/^server a iburst$/m);
  });
});
