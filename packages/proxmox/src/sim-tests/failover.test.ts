import type { RunningSimulator } from '@betang/pve-simulator';
import { startSimulator } from '@betang/pve-simulator';
import { createPveClient } from '../client/pve-client';
import type { PveClient } from '../client/pve-client';
import { cloneToFreeVmid } from '../clone/clone-to-free-vmid';
import { classifyPveError } from '../errors/classify-pve-error';
import { PveTransportError } from '../errors/pve-transport-error';
import { listClusterVms } from '../helpers/find-vms-by-tag';

jest.setTimeout(60_000);

const TASK = { deadlineMs: 20_000 };

describe('a client with every node API of a simulated cluster', () => {
  let sim: RunningSimulator;
  const clients: PveClient[] = [];
  const client = (urls: string[] = sim.endpoints.map((e) => e.url)): PveClient => {
    const c = createPveClient({
      baseUrl: urls,
      tokenId: sim.tokenId,
      tokenSecret: sim.tokenSecret,
      fingerprint: sim.fingerprint,
      timeoutMs: 5_000,
    });
    clients.push(c);
    return c;
  };
  const urlOf = (node: string): string => sim.endpoints.find((e) => e.node === node)?.url ?? '';
  const clones = (): number => sim.state.tasks().filter((t) => t.type === 'qmclone').length;

  beforeAll(async () => {
    sim = await startSimulator({ flavour: 'pve9', timeFactor: 0.01, seed: 11, guestSsh: false, authFailureDelayMs: 10, apiPerNode: true });
  });
  afterEach(async () => {
    sim.faults.reset();
    for (const e of sim.endpoints) await sim.faults.setNodeApi(e.node, true);
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => sim.close());

  it('should serve the same cluster on one port per node', async () => {
    expect(sim.endpoints.map((e) => e.node)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(new Set(sim.endpoints.map((e) => e.port)).size).toBe(3);
    for (const e of sim.endpoints) {
      const vms = await listClusterVms(client([e.url]));
      expect(vms.map((v) => v.vmid)).toEqual(expect.arrayContaining([9000, 9001]));
    }
  });

  it('should fail over a GET when the first node API is down, as PVE forwards: 595 for that node', async () => {
    await sim.faults.setNodeApi('pve1', false);
    const c = client();
    const vms = await listClusterVms(c);
    expect(vms.find((v) => v.vmid === 9000)?.node).toBe('pve1');
    // pve2's pveproxy answers, but forwarding to pve1's stopped pveproxy is refused.
    const forwarded = await c
      .vm('pve1', 9000)
      .config()
      .catch((e: unknown) => e);
    expect(classifyPveError(forwarded)).toEqual({ kind: 'transient', code: 'proxy-unreachable' });
    await sim.faults.setNodeApi('pve1', true);
    await expect(c.vm('pve1', 9000).config()).resolves.toMatchObject({ name: 'debian-12-cloud' });
  });

  it('should not re-send a clone POST whose answer was lost: the simulator sees exactly one clone', async () => {
    const before = clones();
    sim.faults.apiDiesAfter('pve1', 'POST', '/nodes/*/qemu/*/clone');
    const c = client([urlOf('pve1'), urlOf('pve2')]);
    const err = await c
      .vm('pve1', 9000)
      .clone({ newid: 40000, full: true, storage: 'ceph', description: 'betang-run=failover' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveTransportError);
    expect(err).toMatchObject({ method: 'POST', maybeApplied: true, attempts: 1 });
    expect(clones()).toBe(before + 1);

    // Once pve1's API is back, the same run adopts the clone instead of cloning again.
    await sim.faults.setNodeApi('pve1', true);
    const adopted = await cloneToFreeVmid(c, {
      node: 'pve1',
      templateVmid: 9000,
      range: { min: 40000, max: 40099 },
      preferredVmid: 40000,
      ownerMarker: 'betang-run=failover',
      storage: 'ceph',
      taskDeadlineMs: TASK.deadlineMs,
    });
    expect(adopted).toMatchObject({ vmid: 40000, adopted: true });
    expect(clones()).toBe(before + 1);
  });

  it('should send a POST to the next node when the first refuses the connection', async () => {
    await sim.faults.setNodeApi('pve2', false);
    const c = client([urlOf('pve2'), urlOf('pve1')]);
    const upid = await c.vm('pve1', 9000).clone({ newid: 40100, full: true, storage: 'ceph' });
    expect(upid).toMatch(/^UPID:pve1:/);
  });

  it('should name every endpoint in a bilingual error when no node API answers', async () => {
    for (const e of sim.endpoints) await sim.faults.setNodeApi(e.node, false);
    const err = await client()
      .request('GET', '/cluster/resources')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveTransportError);
    const text = (err as PveTransportError).describe();
    for (const e of sim.endpoints) {
      expect(text.id).toContain(e.url);
      expect(text.en).toContain(e.url);
    }
    expect(text.id).toContain('Tidak ada satu pun endpoint API Proxmox yang menjawab');
    expect(text.en).toContain('None of the Proxmox API endpoints answered');
    expect(classifyPveError(err)).toEqual({ kind: 'transient', code: 'network' });
  });

  it('should bring a node API back on the same port', async () => {
    await sim.faults.setNodeApi('pve3', false);
    const c = client([urlOf('pve3')]);
    await expect(c.request('GET', '/version')).rejects.toMatchObject({ kind: 'network', maybeApplied: false });
    await sim.faults.setNodeApi('pve3', true);
    await expect(c.request('GET', '/version')).resolves.toMatchObject({ release: expect.any(String) });
  });
});
