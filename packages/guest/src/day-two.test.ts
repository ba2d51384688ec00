import { configureFirewall } from './configure-firewall';
import { configureGuest } from './configure-guest';
import { GuestError } from './guest-errors';
import { growRootFilesystem } from './grow-filesystem';
import { emulateDebianGuests } from './emulation';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a@b';
const GiB = 1024 ** 3;

/** An emulated, configured Debian guest whose disk size the test controls (as Proxmox's resize would). */
async function guest(ports: number[]) {
  let diskBytes = 20 * GiB;
  const spec = { hostname: 'web1', adminUser: 'dinkes', sshPublicKeys: [KEY], allowedTcpPorts: ports };
  const handler = emulateDebianGuests((vmid) => (vmid === 1 ? { ...spec, diskBytes: () => diskBytes } : undefined));
  const commands: string[] = [];
  const shell = {
    username: 'betang',
    async exec(c: string) {
      commands.push(c);
      const r = handler(1, c) ?? { code: 0 };
      return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.code };
    },
  };
  await configureGuest(shell, spec);
  commands.length = 0;
  return { shell, handler, commands, grow: (bytes: number) => (diskBytes = bytes) };
}

describe('day-2 guest changes', () => {
  it('should grow partition and filesystem after the disk grew, and change nothing on a second run', async () => {
    const g = await guest([80]);
    const first = await growRootFilesystem(g.shell);
    expect(first.changes).toEqual([]);
    g.grow(40 * GiB);
    const grown = await growRootFilesystem(g.shell);
    expect(grown).toMatchObject({ device: '/dev/sda1', fsType: 'ext4' });
    expect(grown.bytesAfter - grown.bytesBefore).toBeGreaterThanOrEqual(20 * GiB - 4096);
    expect(grown.changes).toEqual([
      expect.stringMatching(/^partisi\/partition \/dev\/sda1: CHANGED: partition=1/),
      expect.stringMatching(/^ext4 \d+ → \d+ bytes$/),
    ]);
    g.commands.length = 0;
    expect((await growRootFilesystem(g.shell)).changes).toEqual([]);
    expect(g.commands.join('\n')).toMatch(/growpart/);
  });

  it('should finish a growth cut off between growpart and resize2fs', async () => {
    const g = await guest([80]);
    g.grow(30 * GiB);
    // growpart ran, then the worker died before resize2fs
    await g.shell.exec("sudo -n -- growpart /dev/sda '1'");
    const resumed = await growRootFilesystem(g.shell);
    expect(resumed.changes).toEqual([expect.stringMatching(/^ext4 /)]);
    expect(resumed.bytesAfter).toBeGreaterThan(resumed.bytesBefore);
  });

  it('should open exactly the new ports, keep 22, and converge', async () => {
    const g = await guest([80, 8080]);
    const report = await configureFirewall(g.shell, [443, 80]);
    expect(report.changed).toBe(true);
    expect(report.detail).toEqual(expect.arrayContaining(['allowed 443/tcp', 'removed rule: allow 8080/tcp']));
    expect(g.handler.state(1)?.ufw.rules.sort()).toEqual(['22/tcp', '443/tcp', '80/tcp']);
    expect(await configureFirewall(g.shell, [80, 443])).toEqual({ key: 'firewall', changed: false, detail: [] });
  });

  it('should refuse a port outside 1–65535 before sending any command', async () => {
    const g = await guest([80]);
    await expect(configureFirewall(g.shell, [80, 70_000])).rejects.toBeInstanceOf(GuestError);
    expect(g.commands).toEqual([]);
  });
});
