import { configureGuest } from './configure-guest';
import { connectGuest, type GuestConnection } from './guest-connection';
import { GuestError, GuestErrorCode } from './guest-errors';
import { APT_PROXY_FILE } from './steps/packages.step';
import { startDebianGuest, type DebianGuest } from './testing/debian-guest';
import { generateSshKey } from './testing/keygen';

// One real Debian guest (systemd-nspawn). The "data center mirror" is an apt repository served
// inside the guest on 127.0.0.1:8081 (the tests never leave loopback): it has version 2.0 of a
// probe package whose 1.0 is installed, so there is exactly one upgrade to make.
let guest: DebianGuest;
let conn: GuestConnection;
const admin = generateSshKey('ed25519', undefined, 'admin@dinas');
const base = { hostname: 'pkg-01', adminUser: 'opd', sshPublicKeys: [admin.publicKey], allowedTcpPorts: [] };
const MIRROR = 'http://127.0.0.1:8081/debian';

const REPO_SCRIPT = [
  'set -eu',
  'mk() { d=$(mktemp -d); mkdir -p "$d/DEBIAN"; printf "Package: betang-probe\\nVersion: %s\\nArchitecture: all\\nMaintainer: Betang <betang@example.invalid>\\nDescription: upgrade probe\\n" "$1" > "$d/DEBIAN/control"; dpkg-deb --build "$d" "$2" >/dev/null; rm -rf "$d"; }',
  'mkdir -p /srv/repo/debian',
  'mk 1.0 /root/betang-probe_1.0_all.deb',
  'mk 2.0 /srv/repo/debian/betang-probe_2.0_all.deb',
  'dpkg -i /root/betang-probe_1.0_all.deb >/dev/null',
  'cd /srv/repo/debian',
  'f=betang-probe_2.0_all.deb',
  '{ dpkg-deb -f "$f"; printf "Filename: ./%s\\nSize: %s\\nSHA256: %s\\n\\n" "$f" "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -d" " -f1)"; } > Packages',
  'printf "Origin: betang-test\\nLabel: betang-test\\nDate: %s\\nSHA256:\\n %s %s Packages\\n" "$(date -Ru)" "$(sha256sum Packages | cut -d" " -f1)" "$(stat -c %s Packages)" > Release',
  // the image's sources name the Debian archive, as a cloud image's do; the mirror step rewrites them
  'printf "deb [trusted=yes] http://deb.debian.org/debian ./\\n" > /etc/apt/sources.list',
  'rm -f /etc/apt/sources.list.d/*',
  'systemd-run --unit=betang-test-mirror --working-directory=/srv/repo python3 -m http.server 8081 --bind 127.0.0.1 >/dev/null 2>&1',
  'for i in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8081/debian/Release\')" 2>/dev/null && exit 0; sleep 0.1; done; exit 1',
].join('\n');

async function sh(command: string, stdin?: string): Promise<string> {
  const r = await conn.exec(command, { stdin });
  if (r.code !== 0) throw new Error(`${command} → ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

beforeAll(async () => {
  guest = await startDebianGuest();
  conn = await connectGuest({ ...guest, pinnedHostKey: guest.hostKeyLine });
  await sh('systemctl is-system-running --wait || true');
  await sh('sudo -n sh -s', REPO_SCRIPT);
}, 600_000);

afterAll(async () => {
  conn?.dispose();
  await guest?.stop();
}, 60_000);

describe('the packages step on a real Debian guest', () => {
  it('should fail with GUEST_PACKAGES_FAILED, retryable, when the proxy cannot be reached', async () => {
    const error = await configureGuest(conn, {
      ...base,
      aptProxy: 'http://127.0.0.1:3142',
      aptMirror: MIRROR,
      packageUpgrade: true,
      packageUpgradeTimeoutSec: 60,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuestError);
    expect((error as GuestError).code).toBe(GuestErrorCode.PackagesFailed);
    expect((error as GuestError).retryable).toBe(true);
    expect((error as GuestError).userMessage.en).toContain('proxy http://127.0.0.1:3142');
    // the sources and the proxy file were written before apt ran: a retry starts from there
    expect(await sh(`sudo -n cat ${APT_PROXY_FILE}`)).toContain('Acquire::http::Proxy "http://127.0.0.1:3142";');
    expect(await sh("dpkg-query -W -f '${Version}' betang-probe")).toBe('1.0');
  }, 180_000);

  it('should point apt at the mirror, drop the proxy and upgrade, non-interactively', async () => {
    const reports = await configureGuest(conn, { ...base, aptMirror: MIRROR, packageUpgrade: true });
    const packages = reports.find((r) => r.key === 'packages');
    expect(packages?.changed).toBe(true);
    expect(packages?.detail).toEqual([`${APT_PROXY_FILE}: removed`, 'apt-get upgrade: 1 upgraded, 0 newly installed']);
    expect(await sh("dpkg-query -W -f '${Version}' betang-probe")).toBe('2.0');
    expect(await sh('cat /etc/apt/sources.list')).toBe(`deb [trusted=yes] ${MIRROR} ./`);
    expect(await sh(`test -e ${APT_PROXY_FILE} && echo present || echo absent`)).toBe('absent');
  }, 300_000);

  it('should change nothing on a second run (the package lists are refreshed, nothing is left to upgrade)', async () => {
    const reports = await configureGuest(conn, { ...base, aptMirror: MIRROR, packageUpgrade: true });
    expect(reports.filter((r) => r.changed)).toEqual([]);
  }, 300_000);

  it('should write the proxy apt reads, and leave the packages alone when no upgrade is asked for', async () => {
    const reports = await configureGuest(conn, { ...base, aptProxy: 'http://apt-proxy.dc.kalteng.go.id:3142/', aptMirror: MIRROR });
    expect(reports.find((r) => r.key === 'packages')).toEqual({
      key: 'packages',
      changed: true,
      detail: [`${APT_PROXY_FILE}: proxy http://apt-proxy.dc.kalteng.go.id:3142`],
    });
    expect(await sh('apt-config dump Acquire::http::Proxy')).toBe('Acquire::http::Proxy "http://apt-proxy.dc.kalteng.go.id:3142";');
    expect(
      (await configureGuest(conn, { ...base, aptProxy: 'http://apt-proxy.dc.kalteng.go.id:3142', aptMirror: MIRROR })).filter(
        (r) => r.changed,
      ),
    ).toEqual([]);
  }, 120_000);
});
