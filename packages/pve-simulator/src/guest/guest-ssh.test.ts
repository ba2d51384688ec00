import { Client, utils } from 'ssh2';
import { startSimulator } from '../simulator';
import type { RunningSimulator } from '../simulator';
import { eventually, simApi } from '../testing/sim-test-kit';

function connect(ep: { host: string; port: number }, username: string, privateKey: string, seen: Buffer[] = []): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () => resolve(c));
    c.on('error', reject);
    c.connect({
      host: ep.host,
      port: ep.port,
      username,
      privateKey,
      readyTimeout: 5000,
      hostVerifier: (key: Buffer) => (seen.push(key), true),
    });
  });
}

function exec(c: Client, cmd: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    c.exec(cmd, (e, ch) => {
      if (e) return reject(e);
      let out = '';
      let err = '';
      ch.on('data', (d: Buffer) => (out += d.toString()));
      ch.stderr.on('data', (d: Buffer) => (err += d.toString()));
      ch.on('exit', (code: number) => ch.on('close', () => resolve({ code, out, err })));
    });
  });
}

describe('guest SSH endpoint', () => {
  let sim: RunningSimulator;
  const mine = utils.generateKeyPairSync('ed25519', { comment: 'ops@betang' });
  const stranger = utils.generateKeyPairSync('ed25519');
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0 });
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 800, full: 1, name: 'vps-ssh' });
    await api.task('POST', '/nodes/pve1/qemu/800/config', {
      ciuser: 'betang',
      sshkeys: encodeURIComponent(`${mine.public}\n`),
      ipconfig0: 'ip=dhcp',
    });
    await api.task('POST', '/nodes/pve1/qemu/800/status/start');
  });
  afterAll(() => sim.close());

  test('accepts the cloud-init key for ciuser, presents the VM host key, records exec', async () => {
    const ep = sim.state.guestSshEndpoint(800);
    expect(ep?.host).toBe('127.0.0.1');
    const seen: Buffer[] = [];
    const c = await connect(ep ?? { host: '', port: 0 }, 'betang', mine.private, seen);
    try {
      const parsed = utils.parseKey(sim.state.hostKey(800) ?? '');
      if (parsed instanceof Error || Array.isArray(parsed)) throw new Error('bad host key');
      expect(seen[0]?.equals(parsed.getPublicSSH())).toBe(true);
      const r = await exec(c, 'sudo hostnamectl set-hostname vps-ssh');
      expect(r).toEqual({ code: 0, out: '', err: '' });
      sim.faults.setGuestCommandHandler((_vmid, cmd) =>
        cmd === 'uname -n' ? { code: 0, stdout: 'vps-ssh\n' } : cmd.startsWith('false') ? { code: 1, stderr: 'nope\n' } : undefined,
      );
      expect(await exec(c, 'uname -n')).toEqual({ code: 0, out: 'vps-ssh\n', err: '' });
      expect(await exec(c, 'false')).toEqual({ code: 1, out: '', err: 'nope\n' });
      const withPty = await new Promise<number>((resolve, reject) =>
        c.exec('sudo -n true', { pty: true, env: { LANG: 'C' } }, (e, ch) =>
          e ? reject(e) : ch.on('exit', (code: number) => resolve(code)).resume(),
        ),
      );
      expect(withPty).toBe(0);
      const keyOut = await exec(c, 'cat /etc/ssh/ssh_host_ed25519_key.pub');
      expect(keyOut.out).toBe(`${sim.state.hostKey(800)}\n`);
      expect(sim.state.guestCommands(800).map((x) => [x.via, x.user, x.command])).toEqual([
        ['ssh', 'betang', 'sudo hostnamectl set-hostname vps-ssh'],
        ['ssh', 'betang', 'uname -n'],
        ['ssh', 'betang', 'false'],
        ['ssh', 'betang', 'sudo -n true'],
        ['ssh', 'betang', 'cat /etc/ssh/ssh_host_ed25519_key.pub'],
      ]);
      await new Promise<void>((resolve, reject) =>
        c.sftp((e, sftp) => {
          if (e) return reject(e);
          sftp.writeFile('/tmp/motd', 'Selamat datang\n', (err) => (err ? reject(err) : resolve()));
        }),
      );
      expect(sim.state.guestFiles(800).get('/tmp/motd')?.toString()).toBe('Selamat datang\n');
    } finally {
      sim.faults.setGuestCommandHandler(undefined);
      c.end();
    }
  });

  test('rejects other keys and other users; DHCP address reported via the agent', async () => {
    const ep = sim.state.guestSshEndpoint(800) ?? { host: '', port: 0 };
    await expect(connect(ep, 'betang', stranger.private)).rejects.toThrow(/authentication methods failed/);
    await expect(connect(ep, 'root', mine.private)).rejects.toThrow(/authentication methods failed/);
    const api = simApi(sim);
    const ifaces = await eventually(async () => {
      const r = await api.get('/nodes/pve1/qemu/800/agent/network-get-interfaces');
      return r.status === 200
        ? (r.body?.data as { result: Array<{ name: string; 'ip-addresses': Array<{ 'ip-address': string }> }> }).result
        : undefined;
    });
    expect(ifaces.find((i) => i.name === 'eth0')?.['ip-addresses'][0]?.['ip-address']).toBe('10.20.0.100');
  });

  test('a stopped VM drops SSH connections', async () => {
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/800/status/stop');
    const ep = sim.state.guestSshEndpoint(800) ?? { host: '', port: 0 };
    await expect(connect(ep, 'betang', mine.private)).rejects.toThrow();
  });
});
