import { connect } from 'node:net';
import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { simApi } from './testing/sim-test-kit';

describe('an isolated bridge (bridge-ports none) and a guest booted on it', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0.01, agentBootSeconds: 1 });
  });
  afterAll(() => sim.close());

  const waitForAgent = async (vmid: number): Promise<number> => {
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await simApi(sim).post(`/nodes/pve1/qemu/${vmid}/agent/ping`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    return status;
  };

  /** The first bytes an SSH client would read from the guest's port 22 ('' when nothing answers). */
  const sshBanner = (ep: { host: string; port: number } | undefined): Promise<string> =>
    new Promise((resolve) => {
      if (!ep) return resolve('');
      const sock = connect(ep.port, ep.host);
      let data = '';
      sock.on('data', (d) => {
        data += d.toString();
        sock.destroy();
      });
      sock.on('close', () => resolve(data));
      sock.on('error', () => resolve(''));
      setTimeout(() => sock.destroy(), 1500);
    });

  test('the node lists it as a bridge without ports, beside the bridges with an uplink', async () => {
    const api = simApi(sim);
    const list = (await api.get('/nodes/pve1/network', { type: 'bridge' })).body?.data as Array<Record<string, unknown>>;
    const byName = new Map(list.map((b) => [b.iface, b]));
    expect(byName.get('vmbr0')?.bridge_ports).toBe('eno1');
    expect(byName.get('vmbr9')).toMatchObject({ type: 'bridge', active: 1 });
    expect(byName.get('vmbr9')).not.toHaveProperty('bridge_ports');
  });

  test('a guest on it boots and its agent answers (the agent needs no network), but nothing reaches it over the network', async () => {
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 130, full: 1, storage: 'ceph', name: 'uji-pulih' });
    const net0 = sim.state.vm(130)!.config.net0!;
    await api.put('/nodes/pve1/qemu/130/config', { net0: net0.replace('bridge=vmbr0', 'bridge=vmbr9'), ipconfig0: 'ip=10.20.0.5/24' });
    expect((await api.task('POST', '/nodes/pve1/qemu/130/status/start')).exitstatus).toBe('OK');
    expect(await waitForAgent(130)).toBe(200);
    const fs = (await api.get('/nodes/pve1/qemu/130/agent/get-fsinfo')).body?.data as { result: Array<Record<string, unknown>> };
    const root = fs.result.find((f) => f.mountpoint === '/');
    expect(root).toMatchObject({ type: 'ext4' });
    // the root filesystem fills the 3 GiB boot disk but for the EFI partition
    expect(Number(root?.['total-bytes'])).toBeGreaterThan(2.5 * 1024 ** 3);
    expect(Number(root?.['total-bytes'])).toBeLessThan(3 * 1024 ** 3);
    expect(Number(root?.['used-bytes'])).toBeGreaterThan(0);
    // the same guest on vmbr0 answers SSH; on the isolated bridge nothing reaches it
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 132, full: 1, storage: 'ceph', name: 'on-uplink' });
    await api.put('/nodes/pve1/qemu/132/config', { ipconfig0: 'ip=10.20.0.6/24' });
    expect((await api.task('POST', '/nodes/pve1/qemu/132/status/start')).exitstatus).toBe('OK');
    await waitForAgent(132);
    await new Promise((r) => setTimeout(r, 300));
    expect(await sshBanner(sim.guestSshEndpoint(132))).toMatch(/^SSH-2\.0/);
    expect(await sshBanner(sim.guestSshEndpoint(130))).toBe('');
  });

  test('a NIC on a bridge the node does not have makes the start fail, as PVE does', async () => {
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 131, full: 1, storage: 'ceph', name: 'no-bridge' });
    const net0 = sim.state.vm(131)!.config.net0!;
    await api.put('/nodes/pve1/qemu/131/config', { net0: net0.replace('bridge=vmbr0', 'bridge=vmbr7') });
    const start = await api.task('POST', '/nodes/pve1/qemu/131/status/start');
    expect(start.exitstatus).toMatch(/bridge 'vmbr7' does not exist/);
  });
});
