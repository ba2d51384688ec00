import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminUserForInstitution, institutionCodeProblem, RESERVED_GUEST_USERNAMES } from '@betang/core';
import { ZGuestSpec } from './guest-spec.schema';

let key = '';
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'betang-spec-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'a  b', '-f', join(dir, 'k')]);
  key = readFileSync(join(dir, 'k.pub'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
});

describe('ZGuestSpec', () => {
  it('should fill defaults, always allow 22, sort ports and normalise keys', () => {
    const spec = ZGuestSpec.parse({ hostname: 'web-01', adminUser: 'opd', sshPublicKeys: [key], allowedTcpPorts: [443, 80, 443] });
    expect(spec.timezone).toBe('Asia/Jakarta');
    expect(spec.allowedTcpPorts).toEqual([22, 80, 443]);
    expect(spec.unattendedUpgrades).toBe(true);
    expect(spec.ntpServers.length).toBeGreaterThan(0);
    expect(spec.sshPublicKeys).toEqual([key.trim().replace('a  b', 'a b')]);
  });

  it('should accept IP addresses and hostnames as NTP servers', () => {
    const spec = ZGuestSpec.parse({
      hostname: 'a',
      adminUser: 'b',
      sshPublicKeys: [key],
      ntpServers: ['10.0.0.1', '2001:db8::1', 'NTP.Kalteng.go.id'],
    });
    expect(spec.ntpServers).toEqual(['10.0.0.1', '2001:db8::1', 'ntp.kalteng.go.id']);
  });

  it('should report the key error code in the issue', () => {
    const r = ZGuestSpec.safeParse({ hostname: 'a', adminUser: 'b', sshPublicKeys: [`from="*" ${key}`] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/^SSH_KEY_OPTIONS_NOT_ALLOWED/);
    expect(r.error?.issues[0]?.path).toEqual(['sshPublicKeys', 0]);
  });

  it('should reject the same key twice', () => {
    expect(ZGuestSpec.safeParse({ hostname: 'a', adminUser: 'b', sshPublicKeys: [key, `${key.trim()} other`] }).success).toBe(false);
  });

  it('should refuse exactly the admin accounts of the institution codes the API refuses (one shared rule)', () => {
    for (const name of [...RESERVED_GUEST_USERNAMES, 'systemd-network', 'opd', 'biro-adpim']) {
      const code = name.toUpperCase();
      if (!/^[A-Z][A-Z0-9-]{1,31}$/.test(code)) continue;
      const guestAccepts = ZGuestSpec.safeParse({ hostname: 'a', adminUser: adminUserForInstitution(code), sshPublicKeys: [key] }).success;
      expect([code, guestAccepts]).toEqual([code, institutionCodeProblem(code) === null]);
    }
  });

  it.each([
    ['hostname', 'web-'],
    ['hostname', ''],
    ['hostname', 'web.example'],
    ['adminUser', 'systemd-x'],
    ['adminUser', 'Opd'],
    ['adminUser', 'betang'],
    ['adminUser', ''],
    ['timezone', 'Mars/Olympus'],
    ['timezone', 'asia/jakarta'],
    ['unattendedUpgrades', 'yes'],
  ])('should reject %s = %j', (field, value) => {
    expect(ZGuestSpec.safeParse({ hostname: 'a', adminUser: 'b', sshPublicKeys: [key], [field]: value }).success).toBe(false);
  });

  it('should accept the longest valid names', () => {
    expect(ZGuestSpec.safeParse({ hostname: `a${'b'.repeat(62)}`, adminUser: `a${'b'.repeat(31)}`, sshPublicKeys: [key] }).success).toBe(
      true,
    );
  });
});
