import { configureGuest } from '../configure-guest';
import { waitForCloudInit } from '../cloud-init';
import { emulateDebianGuests, splitShellWords } from './debian-guest-emulation';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a@b';

describe('emulateDebianGuests', () => {
  it('should split shellQuote output back into argv, including quotes inside words', () => {
    expect(splitShellWords(`sudo -n -- sh -c 'a "$1"' sh 'it'\\''s' x`)).toEqual([
      'sudo',
      '-n',
      '--',
      'sh',
      '-c',
      'a "$1"',
      'sh',
      "it's",
      'x',
    ]);
  });

  it('should converge under the real guest steps and report nothing to change on a second run', async () => {
    const spec = {
      hostname: 'web1',
      adminUser: 'dinkes',
      sshPublicKeys: [KEY],
      allowedTcpPorts: [80],
      packageUpgrade: true,
      aptProxy: 'http://apt-proxy.dc:3142',
    };
    const handler = emulateDebianGuests((vmid) => (vmid === 1 ? spec : undefined));
    let execs = 0;
    const shell = {
      username: 'betang',
      async exec(c: string) {
        execs++;
        const r = handler(1, c) ?? { code: 0 };
        return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.code };
      },
    };
    await expect(waitForCloudInit(shell)).resolves.toMatchObject({ present: true, status: 'done' });
    expect(execs).toBe(1);
    expect((await configureGuest(shell, spec)).every((r) => r.changed)).toBe(true);
    // Checks batched (2 channels), one per changed step (admin-user: 2; packages: the proxy
    // file, then the upgrade), re-checks batched (2).
    expect(execs).toBe(1 + 2 + 8 + 2 + 2);
    execs = 0;
    expect((await configureGuest(shell, spec)).some((r) => r.changed)).toBe(false);
    expect(execs).toBe(2);
    expect(handler.state(1)).toMatchObject({
      hostname: 'web1',
      timezone: 'Asia/Jakarta',
      ufw: { active: true, rules: ['22/tcp', '80/tcp'] },
    });
    expect(handler(2, 'hostname')).toBeUndefined();
  });
});
