import { startSimulator, type RunningSimulator } from './simulator';
import { handMadeEstate } from './state/estate';
import { createRng } from './util/rng';
import { simApi } from './testing/sim-test-kit';

type Resource = { vmid: number; name?: string; node: string; status: string; tags?: string; template?: number; type: string };

const DNS_NAME = /^(?=.{1,63}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

describe('hand-made estate', () => {
  it('should be deterministic for a seed, with unique vmids and names PVE accepts', () => {
    const a = handMadeEstate({ count: 120 }, ['pve1', 'pve2'], createRng(5), new Set([9000]));
    const b = handMadeEstate({ count: 120 }, ['pve1', 'pve2'], createRng(5), new Set([9000]));
    expect(a).toEqual(b);
    expect(new Set(a.map((v) => v.vmid)).size).toBe(120);
    expect(new Set(a.map((v) => v.name)).size).toBe(120);
    for (const v of a) {
      expect(v.name).toMatch(DNS_NAME);
      for (const t of v.tags ?? []) expect(t).toMatch(/^[a-z0-9_][a-z0-9_+.-]*$/);
      expect(v.tags ?? []).not.toContain('betang');
    }
  });

  it('should mix what a real estate has: shared addresses, no agent, stopped, notes, stray vmids', () => {
    const vms = handMadeEstate({ count: 100, strayVmids: [100_050, 100_051] }, ['pve1'], createRng(1), new Set());
    const ips = vms.map((v) => /ip=([^/]+)/.exec(v.ipconfig0 ?? '')?.[1]).filter((x): x is string => !!x);
    const dup = ips.filter((ip, i) => ips.indexOf(ip) !== i);
    expect(dup.length).toBeGreaterThanOrEqual(2);
    expect(vms.filter((v) => !v.agent).length).toBeGreaterThanOrEqual(10);
    expect(vms.filter((v) => !v.running).length).toBeGreaterThanOrEqual(10);
    expect(vms.filter((v) => v.description).length).toBeGreaterThanOrEqual(10);
    expect(vms.filter((v) => v.ipconfig0 === undefined).length).toBeGreaterThanOrEqual(5);
    expect(vms.map((v) => v.vmid)).toEqual(expect.arrayContaining([100_050, 100_051]));
    expect(vms.some((v) => v.ipconfig0?.includes('172.16.'))).toBe(true);
  });

  describe('seeded into a running simulator', () => {
    let sim: RunningSimulator;
    beforeAll(async () => {
      sim = await startSimulator({ timeFactor: 0, estate: { count: 30 }, resourcesLagSeconds: 0 });
    });
    afterAll(() => sim.close());

    it('should list the VMs in /cluster/resources with their names, tags and power state', async () => {
      const res = await simApi(sim).get('/cluster/resources?type=vm');
      const vms = (res.body?.data as Resource[]).filter((r) => r.template !== 1);
      expect(vms).toHaveLength(30);
      const web = vms.find((v) => v.name === 'web-dinkes-lama');
      expect(web).toMatchObject({ status: 'running', tags: 'dinkes;produksi' });
      expect(vms.find((v) => v.name === 'web-dinkes-lama-copy')).toMatchObject({ status: 'stopped' });
      expect(vms.some((v) => (v.tags ?? '').includes('betang'))).toBe(false);
    });

    it('should answer the guest agent of a running VM with its static address, and refuse one without an agent', async () => {
      const api = simApi(sim);
      const web = sim.state.listVms().find((v) => v.name === 'web-dinkes-lama')!;
      const ifaces = await api.get(`/nodes/${web.node}/qemu/${web.vmid}/agent/network-get-interfaces`);
      expect(ifaces.status).toBe(200);
      expect(JSON.stringify(ifaces.body?.data)).toContain('10.120.0.31');
      const simpeg = sim.state.listVms().find((v) => v.name === 'SIMPEG-server')!;
      const none = await api.get(`/nodes/${simpeg.node}/qemu/${simpeg.vmid}/agent/network-get-interfaces`);
      expect(none.status).toBe(500);
      const config = await api.get(`/nodes/${simpeg.node}/qemu/${simpeg.vmid}/config`);
      expect(config.body?.data).toMatchObject({
        description: 'SIMPEG BKPSDM - jangan dimatikan!',
        ipconfig0: 'ip=10.120.0.40/24,gw=10.120.0.1',
      });
    });

    it('should let a DHCP guest report an address only through its agent', async () => {
      const api = simApi(sim);
      const t = sim.state.listVms().find((v) => v.name === 'test')!;
      expect(t.config.ipconfig0).toBeUndefined();
      const ifaces = await api.get(`/nodes/${t.node}/qemu/${t.vmid}/agent/network-get-interfaces`);
      expect(JSON.stringify(ifaces.body?.data)).toMatch(/10\.20\.0\.\d+/);
    });
  });
});
