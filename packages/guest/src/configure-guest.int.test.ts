import { configureGuest } from './configure-guest';
import { connectGuest, type GuestConnection } from './guest-connection';
import { GUEST_STEP_KEYS } from './steps/guest-step';
import { startDebianGuest, type DebianGuest } from './testing/debian-guest';
import { snapshotHost } from './testing/host-snapshot';
import { generateSshKey } from './testing/keygen';
import { keyLoginWorks, offeredAuthMethods, passwordLoginWorks } from './testing/ssh-probe';

// One real Debian guest (systemd-nspawn, real OpenSSH) for the whole file; tests run in order.
let guest: DebianGuest;
let conn: GuestConnection;
let hostBefore: Record<string, string>;
let methodsBefore: string[];
let rootKeyLoginBefore: boolean;
const admin = generateSshKey('ed25519', undefined, 'admin@dinas');
const rootKey = generateSshKey('ed25519', undefined, 'root-probe');
// A comment that a naive implementation would execute; it must land in the file verbatim.
const HOSTILE_COMMENT = `x" $(touch /tmp/pwned-dollar) \`touch /tmp/pwned-tick\`; touch /tmp/pwned-semi 'q'`;
const adminKeyLine = `${admin.publicKey.split(' ').slice(0, 2).join(' ')} ${HOSTILE_COMMENT}`;
const spec = { hostname: 'web-01', adminUser: 'opd', sshPublicKeys: [adminKeyLine], allowedTcpPorts: [443, 80] };

async function sh(c: GuestConnection, command: string, stdin?: string): Promise<string> {
  const r = await c.exec(command, { stdin });
  if (r.code !== 0) throw new Error(`${command} → ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

beforeAll(async () => {
  guest = await startDebianGuest();
  hostBefore = snapshotHost(guest.rootDir);
  conn = await connectGuest({ ...guest, pinnedHostKey: guest.hostKeyLine });
  await sh(conn, 'systemctl is-system-running --wait || true');
  // Facts before configuration, so the checks after it can fail for a real reason.
  await sh(conn, 'sudo -n install -d -m 700 /root/.ssh && sudo -n tee /root/.ssh/authorized_keys >/dev/null', `${rootKey.publicKey}\n`);
  methodsBefore = await offeredAuthMethods(guest, 'betang');
  rootKeyLoginBefore = await keyLoginWorks(guest, 'root', rootKey.privateKey);
}, 600_000);

afterAll(async () => {
  conn?.dispose();
  await guest?.stop();
}, 60_000);

describe('configureGuest on a real Debian guest', () => {
  it('should change every step on a fresh guest and report progress', async () => {
    expect(methodsBefore).toContain('password');
    expect(rootKeyLoginBefore).toBe(true);
    const events: string[] = [];
    const reports = await configureGuest(conn, spec, { onStep: (e) => events.push(`${e.key}:${e.phase}`) });
    expect(reports.map((r) => r.key)).toEqual([...GUEST_STEP_KEYS]);
    // No upgrade asked for here (packages-step.int.test.ts runs it against a local mirror).
    expect(reports.find((r) => r.key === 'packages')).toEqual({
      key: 'packages',
      changed: false,
      detail: ['package upgrade not requested'],
    });
    for (const r of reports.filter((x) => x.key !== 'packages')) {
      expect(r.changed).toBe(true);
      expect(r.detail.length).toBeGreaterThan(0);
    }
    expect(events).toContain('firewall:applying');
    expect(events[events.length - 1]).toBe('packages:done');
  }, 120_000);

  it('should set the hostname with a 127.0.1.1 hosts line so sudo resolves it', async () => {
    expect(await sh(conn, 'hostname')).toBe('web-01');
    expect(await sh(conn, 'cat /etc/hostname')).toBe('web-01');
    expect(await sh(conn, 'grep "^127.0.1.1" /etc/hosts')).toBe('127.0.1.1\tweb-01');
    const r = await conn.exec('sudo -n true');
    expect(r.stderr).not.toMatch(/unable to resolve/);
  });

  it('should let the admin user log in with its key only and use sudo', async () => {
    const c = await connectGuest({
      host: guest.host,
      port: guest.port,
      username: 'opd',
      privateKey: admin.privateKey,
      pinnedHostKey: guest.hostKeyLine,
    });
    try {
      expect(await sh(c, 'id -un')).toBe('opd');
      expect(await sh(c, 'sudo -n id -u')).toBe('0');
      expect(await sh(c, 'stat -c "%a %U" ~/.ssh ~/.ssh/authorized_keys')).toBe('700 opd\n600 opd');
      expect(await sh(c, 'cat ~/.ssh/authorized_keys')).toBe(adminKeyLine);
    } finally {
      c.dispose();
    }
    expect(await keyLoginWorks(guest, 'opd', guest.privateKey)).toBe(false);
  }, 60_000);

  it('should keep a hostile key comment as inert text', async () => {
    expect(await sh(conn, 'sudo -n cat /home/opd/.ssh/authorized_keys')).toContain(HOSTILE_COMMENT);
    expect(await sh(conn, 'ls /tmp/pwned-dollar /tmp/pwned-tick /tmp/pwned-semi 2>/dev/null | wc -l')).toBe('0');
  });

  it('should make the real sshd refuse passwords and root', async () => {
    await sh(conn, 'sudo -n chpasswd', 'opd:Correct-Horse-9\n');
    expect(await offeredAuthMethods(guest, 'opd')).toEqual(['publickey']);
    expect(await passwordLoginWorks(guest, 'opd', 'Correct-Horse-9')).toBe(false);
    expect(await keyLoginWorks(guest, 'root', rootKey.privateKey)).toBe(false);
    const effective = await sh(conn, 'sudo -n sshd -T | grep -E "^(passwordauthentication|kbdinteractiveauthentication|permitrootlogin) "');
    expect(effective.split('\n').sort()).toEqual(['kbdinteractiveauthentication no', 'passwordauthentication no', 'permitrootlogin no']);
    await sh(conn, "sudo -n usermod --password '*' opd"); // back to the configured state for the next tests
  }, 60_000);

  it('should set the time zone to Asia/Jakarta and the NTP servers', async () => {
    expect(await sh(conn, 'timedatectl show -p Timezone --value')).toBe('Asia/Jakarta');
    expect(await sh(conn, 'date +%Z')).toBe('WIB');
    expect(await sh(conn, 'cat /etc/timezone')).toBe('Asia/Jakarta');
    expect(await sh(conn, 'cat /etc/systemd/timesyncd.conf.d/50-betang.conf')).toMatch(
      /^NTP=0\.id\.pool\.ntp\.org 1\.id\.pool\.ntp\.org 2\.id\.pool\.ntp\.org$/m,
    );
  });

  it('should leave ufw active, deny by default, and allow exactly the approved ports', async () => {
    const status = await sh(conn, 'sudo -n ufw status verbose');
    expect(status).toMatch(/^Status: active$/m);
    expect(status).toMatch(/Default: deny \(incoming\), allow \(outgoing\)/);
    const allowed = status
      .split('\n')
      .filter((l) => /ALLOW IN/.test(l))
      .map((l) => l.split(/\s+/)[0]);
    expect([...new Set(allowed)].sort()).toEqual(['22/tcp', '443/tcp', '80/tcp']);
    // The kernel's rules in the guest's own namespace, not just ufw's files.
    const kernel = await sh(conn, 'sudo -n iptables -S ufw-user-input');
    expect([...kernel.matchAll(/--dport (\d+)/g)].map((m) => m[1]).sort()).toEqual(['22', '443', '80']);
  });

  it('should configure unattended security upgrades with the timers enabled', async () => {
    const periodic = await sh(conn, 'apt-config dump APT::Periodic');
    expect(periodic).toContain('APT::Periodic::Unattended-Upgrade "1";');
    expect(periodic).toContain('APT::Periodic::Update-Package-Lists "1";');
    const origins = await sh(conn, 'apt-config dump Unattended-Upgrade::Origins-Pattern');
    expect(
      origins
        .split('\n')
        .filter((l) => l.includes('origin='))
        .every((l) => l.includes('Debian-Security')),
    ).toBe(true);
    expect(await sh(conn, 'systemctl is-enabled apt-daily.timer apt-daily-upgrade.timer')).toBe('enabled\nenabled');
  });

  it('should change nothing on a second run', async () => {
    const reports = await configureGuest(conn, spec);
    expect(reports.filter((r) => r.changed)).toEqual([]);
  }, 60_000);

  it('should repair drift and touch only the drifted steps', async () => {
    const rogue = generateSshKey('ed25519', undefined, 'rogue');
    await sh(conn, 'sudo -n ufw allow 8080/tcp >/dev/null && sudo -n timedatectl set-timezone UTC');
    await sh(conn, 'sudo -n -u opd tee -a /home/opd/.ssh/authorized_keys >/dev/null', `${rogue.publicKey}\n`);
    const reports = await configureGuest(conn, spec);
    expect(reports.filter((r) => r.changed).map((r) => r.key)).toEqual(['admin-user', 'timezone', 'firewall']);
    expect(await sh(conn, 'sudo -n ufw status')).not.toContain('8080');
    expect(await keyLoginWorks(guest, 'opd', rogue.privateKey)).toBe(false);
  }, 60_000);

  it('should have left the test machine untouched', () => {
    expect(hostBefore.nft).not.toMatch(/^nft failed/);
    expect(snapshotHost(guest.rootDir)).toEqual(hostBefore);
  });
});
