import proxmoxApi from 'proxmox-api';
import { Agent, fetch as undiciFetch } from 'undici';
import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';

// §0.8: a third-party client written for real PVE (npm proxmox-api, default engine) works unchanged.
describe('proxmox-api 1.1.1 default engine against the simulator', () => {
  let sim: RunningSimulator;
  let dispatcher: Agent;
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0, flavour: 'pve9' });
    dispatcher = new Agent({ connect: { ca: sim.caPem } });
  });
  afterAll(async () => {
    await dispatcher.close();
    await sim.close();
  });

  const client = (auth: { tokenID: string; tokenSecret: string } | { username: string; password: string }) =>
    proxmoxApi({
      host: sim.host,
      port: sim.port,
      ...auth,
      fetch: ((url: string, init: Record<string, unknown>) => undiciFetch(url, { ...init, dispatcher })) as never,
    });

  async function waitTask(px: ReturnType<typeof client>, node: string, upid: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 500; i++) {
      const s = (await px.nodes.$(node).tasks.$(upid).status.$get()) as unknown as Record<string, unknown>;
      if (s.status === 'stopped') return s;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('task did not finish');
  }

  test('token auth: clone, configure, start, read agent interfaces, destroy', async () => {
    const px = client({ tokenID: sim.tokenId, tokenSecret: sim.tokenSecret });
    const version = await px.version.$get();
    expect(version.version).toBe('9.1.3');
    const nextid = Number(await px.cluster.nextid.$get());
    const upid = await px.nodes
      .$('pve1')
      .qemu.$(9000)
      .clone.$post({ newid: nextid, name: 'vps-px', full: true, storage: 'local-lvm', pool: 'customers' });
    expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmclone:9000:root@pam!betang:$/);
    expect(await waitTask(px, 'pve1', upid)).toMatchObject({ exitstatus: 'OK', user: 'root@pam', tokenid: 'betang' });
    const cfgUpid = await px.nodes
      .$('pve1')
      .qemu.$(nextid)
      .config.$post({ cores: 2, memory: '2048', agent: '1', ipconfig0: 'ip=10.20.0.15/24,gw=10.20.0.1', net0: 'virtio,bridge=vmbr0' });
    expect(await waitTask(px, 'pve1', String(cfgUpid))).toMatchObject({ exitstatus: 'OK' });
    await waitTask(px, 'pve1', await px.nodes.$('pve1').qemu.$(nextid).status.start.$post());
    const ifaces = (await px.nodes.$('pve1').qemu.$(nextid).agent['network-get-interfaces'].$get()) as {
      result: Array<{ name: string; 'ip-addresses': Array<{ 'ip-address': string }> }>;
    };
    const eth0 = ifaces.result.find((i) => i.name === 'eth0');
    expect(eth0?.['ip-addresses'].map((a) => a['ip-address'])).toContain('10.20.0.15');
    const vms = await px.cluster.resources.$get({ type: 'vm' });
    expect(vms.find((v) => v.vmid === nextid)?.pool).toBe('customers');
    await waitTask(px, 'pve1', await px.nodes.$('pve1').qemu.$(nextid).status.stop.$post());
    await waitTask(px, 'pve1', await px.nodes.$('pve1').qemu.$(nextid).$delete({ purge: true, 'destroy-unreferenced-disks': true }));
    expect(sim.state.vm(nextid)).toBeUndefined();
  });

  test('errors surface in the library message with status and reason phrase', async () => {
    const px = client({ tokenID: sim.tokenId, tokenSecret: sim.tokenSecret });
    await expect(px.nodes.$('pve1').qemu.$(4321).config.$get()).rejects.toThrow(
      /500 Configuration file 'nodes\/pve1\/qemu-server\/4321.conf' does not exist/,
    );
  });

  test('ticket flow: login, CSRF header on writes', async () => {
    const px = client({ username: sim.username, password: sim.password });
    const pools = await px.pools.$get();
    expect(pools.map((p) => p.poolid).sort()).toEqual(['customers', 'templates']);
    await px.pools.$post({ poolid: 'px-pool', comment: 'dibuat lewat tiket' });
    expect((await px.pools.$get()).map((p) => p.poolid)).toContain('px-pool');
  });
});
