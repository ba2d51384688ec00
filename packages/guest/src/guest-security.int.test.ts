import { waitForCloudInit } from './cloud-init';
import { configureGuest } from './configure-guest';
import { runAsRoot, runAsUser, runScriptAsRoot } from './guest-commands';
import { connectGuest, type GuestConnection, type GuestShell } from './guest-connection';
import { GuestError, GuestErrorCode, HostKeyMismatchError } from './guest-errors';
import { sshFingerprint } from './host-key';
import { startDebianGuest, type DebianGuest } from './testing/debian-guest';
import { generateSshKey } from './testing/keygen';

let guest: DebianGuest;
let conn: GuestConnection;
const good = generateSshKey('ed25519', undefined, 'good').publicKey;
const shortRsa = generateSshKey('rsa', 2048, 'short').publicKey;
const base = { hostname: 'web-01', adminUser: 'opd', sshPublicKeys: [good] };

async function sh(c: GuestShell, command: string, stdin?: string): Promise<string> {
  const r = await c.exec(command, { stdin });
  if (r.code !== 0) throw new Error(`${command} → ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Counts the commands sent, to prove that validation rejects before anything reaches the guest. */
function counting(inner: GuestShell): GuestShell & { calls: number } {
  const shell = {
    username: inner.username,
    calls: 0,
    exec: (command: string, options?: { stdin?: string }) => {
      shell.calls++;
      return inner.exec(command, options);
    },
  };
  return shell;
}

async function acceptedLogins(): Promise<number> {
  return Number(await sh(conn, 'sudo -n journalctl -q --no-pager -u ssh.service | grep -c "Accepted publickey" || true'));
}

beforeAll(async () => {
  guest = await startDebianGuest();
  conn = await connectGuest({ ...guest, pinnedHostKey: guest.hostKeyLine });
  await sh(conn, 'systemctl is-system-running --wait || true');
}, 600_000);

afterAll(async () => {
  conn?.dispose();
  await guest?.stop();
}, 60_000);

describe('connectGuest host-key pinning', () => {
  it('should refuse a guest whose host key is not the pinned one, before any command', async () => {
    const impostorPin = generateSshKey('ed25519').publicKey;
    const before = await acceptedLogins();
    expect(before).toBeGreaterThan(0); // the journal does record logins, so "no new one" means something
    const error = await connectGuest({ ...guest, pinnedHostKey: impostorPin }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    const mismatch = error as HostKeyMismatchError;
    expect(mismatch.code).toBe(GuestErrorCode.HostKeyMismatch);
    expect(mismatch.retryable).toBe(false);
    expect(mismatch.expectedFingerprint).toBe(sshFingerprint(Buffer.from(impostorPin.split(' ')[1]!, 'base64')));
    expect(mismatch.receivedFingerprint).toBe(sshFingerprint(Buffer.from(guest.hostKeyLine.split(' ')[1]!, 'base64')));
    expect(mismatch.userMessage.id).toMatch(/tidak sama dengan kunci yang disematkan.*guest agent/);
    expect(mismatch.userMessage.en).toMatch(/differs from the pinned key.*guest agent/);
    // sshd never authenticated anyone for that attempt.
    expect(await acceptedLogins()).toBe(before);
  }, 60_000);

  it("should trust the guest's ECDSA key when that is the pin, and refuse an RSA pin it does not hold", async () => {
    const ecdsa = await sh(conn, 'cat /etc/ssh/ssh_host_ecdsa_key.pub');
    const ok = await connectGuest({ ...guest, pinnedHostKey: ecdsa });
    ok.dispose(); // the guest's real ECDSA key is accepted when that is the pin
    const rsaPin = generateSshKey('rsa', 3072).publicKey;
    await expect(connectGuest({ ...guest, pinnedHostKey: rsaPin })).rejects.toBeInstanceOf(HostKeyMismatchError);
  }, 60_000);

  it('should reject a malformed pin without connecting', async () => {
    await expect(connectGuest({ ...guest, pinnedHostKey: 'ssh-ed25519 $(reboot)' })).rejects.toMatchObject({
      code: GuestErrorCode.InvalidPinnedHostKey,
    });
  });
});

describe('configureGuest with hostile specs', () => {
  const hostile: Array<[string, Record<string, unknown>]> = [
    ['hostname $(reboot)', { hostname: '$(reboot)' }],
    ['hostname with ;', { hostname: 'web;reboot' }],
    ['hostname with backticks', { hostname: '`reboot`' }],
    ['hostname with newline', { hostname: 'web\nreboot' }],
    ['hostname with quote', { hostname: "web'01" }],
    ['hostname with Cyrillic look-alike', { hostname: 'wеb-01' }],
    ['hostname uppercase', { hostname: 'Web-01' }],
    ['hostname starting with a digit', { hostname: '1web' }],
    ['hostname too long', { hostname: 'a'.repeat(64) }],
    ['username root', { adminUser: 'root' }],
    ['username sudo group', { adminUser: 'sudo' }],
    ['username $(reboot)', { adminUser: '$(reboot)' }],
    ['username with ;', { adminUser: 'op;d' }],
    ['username with newline', { adminUser: 'opd\nroot' }],
    ['username with Cyrillic look-alike', { adminUser: 'оpd' }],
    ['username with option dash', { adminUser: '-opd' }],
    ['username too long', { adminUser: 'a'.repeat(33) }],
    ['key with command= option', { sshPublicKeys: [`command="reboot" ${good}`] }],
    ['key with embedded newline', { sshPublicKeys: [`${good}\n${good}`] }],
    ['key with backticks as type', { sshPublicKeys: ['`reboot` AAAA'] }],
    ['short RSA key', { sshPublicKeys: [shortRsa] }],
    ['no keys', { sshPublicKeys: [] }],
    ['port 0', { allowedTcpPorts: [0] }],
    ['port 70000', { allowedTcpPorts: [70000] }],
    ['port as shell string', { allowedTcpPorts: ['22; reboot'] }],
    ['NTP server $(reboot)', { ntpServers: ['$(reboot)'] }],
    ['NTP server with ;', { ntpServers: ['pool.ntp.org; reboot'] }],
    ['time zone with ;', { timezone: 'Asia/Jakarta; reboot' }],
    ['time zone path traversal', { timezone: '../../etc/passwd' }],
  ];

  it.each(hostile)('should reject %s before sending any command', async (_label, patch) => {
    const shell = counting(conn);
    const error = await configureGuest(shell, { ...base, ...patch }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GuestError);
    expect((error as GuestError).code).toBe(GuestErrorCode.InvalidSpec);
    expect(shell.calls).toBe(0);
  });

  it('should have left the guest exactly as it booted', async () => {
    expect(await sh(conn, 'hostname')).not.toBe('web-01');
    expect(await sh(conn, 'getent passwd opd || echo absent')).toBe('absent');
    expect(await sh(conn, 'ls /etc/ssh/sshd_config.d/')).toBe('');
  });
});

describe('GuestConnection.exec', () => {
  it('should give up on a hung command, close its channel and stay usable', async () => {
    const started = Date.now();
    await expect(conn.exec('sleep 30', { timeoutMs: 500 })).rejects.toMatchObject({ code: GuestErrorCode.CommandFailed, retryable: true });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await sh(conn, 'echo still-here')).toBe('still-here');
  }, 20_000);
});

describe('batched commands on the real guest (sudo, dash, OpenSSH)', () => {
  it('should carry hostile values verbatim, give each command its stdin, run in order and stop at the first failure', async () => {
    const shell = counting(conn);
    const hostile = [
      '$(touch /tmp/pwned-batch)',
      '`touch /tmp/pwned-batch`',
      'a\'b"c',
      'x y\nz',
      ';touch /tmp/pwned-batch',
      '${1}',
      '-n',
      '*',
    ];
    const echoed = await Promise.all(hostile.map((v) => runAsRoot(shell, ['printf', '[%s]', v])));
    expect(shell.calls).toBe(1);
    expect(echoed.map((r) => r.stdout)).toEqual(hostile.map((v) => `[${v}]`));
    const [whoami, piped, asUser] = await Promise.all([
      runAsRoot(shell, ['id', '-un']),
      runScriptAsRoot(shell, 'cat', [], { stdin: 'kedua — ü\n$(reboot)\n' }),
      runAsUser(shell, 'nobody', ['id', '-un']),
    ]);
    expect([whoami.stdout, piped.stdout, asUser.stdout]).toEqual(['root\n', 'kedua — ü\n$(reboot)\n', 'nobody\n']);
    const settled = await Promise.allSettled([runAsRoot(shell, ['false']), runAsRoot(shell, ['touch', '/tmp/ran-after-failure'])]);
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(shell.calls).toBe(3);
    expect(await sh(conn, 'ls /tmp/pwned-batch /tmp/ran-after-failure 2>/dev/null || echo none')).toBe('none');
  });
});

describe('waitForCloudInit', () => {
  it('should skip when the image has no cloud-init', async () => {
    expect(await waitForCloudInit(conn)).toEqual({ present: false });
  });

  it('should wait for `cloud-init status --wait` and report its outcome', async () => {
    const fake = (code: number) =>
      `#!/bin/sh\n[ "$1 $2" = "status --wait" ] || exit 99\nsleep 1\necho "status: fake-${code}"\nexit ${code}\n`;
    await sh(conn, 'sudo -n tee /usr/local/bin/cloud-init >/dev/null && sudo -n chmod 755 /usr/local/bin/cloud-init', fake(0));
    const started = Date.now();
    expect(await waitForCloudInit(conn)).toEqual({ present: true, status: 'done', output: 'status: fake-0' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    await sh(conn, 'sudo -n tee /usr/local/bin/cloud-init >/dev/null', fake(2));
    expect(await waitForCloudInit(conn)).toMatchObject({ status: 'degraded' });
    await sh(conn, 'sudo -n tee /usr/local/bin/cloud-init >/dev/null', fake(1));
    await expect(waitForCloudInit(conn)).rejects.toMatchObject({ code: GuestErrorCode.CloudInitFailed, retryable: true });
    await sh(conn, 'sudo -n rm /usr/local/bin/cloud-init');
  }, 30_000);
});
