import { generateKeyPairSync } from 'node:crypto';
import { classifyPveError } from '../errors/classify-pve-error';
import { cloneToFreeVmid } from '../clone/clone-to-free-vmid';
import { findVmByTag } from '../helpers/find-vms-by-tag';
import { nextFreeVmid } from '../clone/next-free-vmid';
import { nodeCapacity } from '../helpers/node-capacity';
import { createCallCounter } from '../metrics/call-counter';
import { parseUpid } from '../tasks/upid';
import { ZNextId } from '../wire/coerce.schema';
import { decodeSshKeys, encodeSshKeys } from '../wire/ssh-keys';
import { formatTags } from '../wire/tags';
import type { SimHarness } from '../testing/sim-client';
import { bootSim } from '../testing/sim-client';

function sshKey(comment: string): string {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const str = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]).toString('base64')} ${comment}`;
}

jest.setTimeout(60_000);

const TASK = { deadlineMs: 20_000, minPollMs: 20, maxPollMs: 100 };

describe.each(['pve9', 'pve8'] as const)('provisioning path against the simulator (%s)', (flavour) => {
  let h: SimHarness;
  beforeAll(async () => {
    // Agent answers ~1 s after start (100 s × timeFactor 0.01): long enough to observe "not running yet" on a busy machine.
    h = await bootSim(flavour, 0.01, 7, 100);
  });
  afterAll(() => h.close());

  it('should clone onto another node with target when the template is on shared storage', async () => {
    const marker = `betang-run=${flavour}-target`;
    const cloned = await cloneToFreeVmid(h.client, {
      node: 'pve1',
      target: 'pve2',
      templateVmid: 9000,
      range: { min: 10200, max: 10299 },
      ownerMarker: marker,
      name: 'vps-target',
      taskDeadlineMs: 20_000,
    });
    expect(cloned).toMatchObject({ node: 'pve2', adopted: false });
    expect(parseUpid(cloned.upid as string)).toMatchObject({ node: 'pve1', type: 'qmclone' });
    const cfg = await h.client.vm('pve2', cloned.vmid).config();
    expect(cfg.description).toContain(marker);
  });

  it('should clone → configure → resize → start → read agent → stop → destroy', async () => {
    const counter = createCallCounter();
    const c = h.extra({ onCall: counter.onCall, fingerprint: h.sim.fingerprint, ca: undefined });

    const cap = await nodeCapacity(c);
    const pve1 = cap.find((n) => n.node === 'pve1');
    expect(pve1).toMatchObject({ online: true, statsVisible: true });
    expect(pve1?.memFreeBytes).toBeGreaterThan(0);
    expect(pve1?.storages.map((s) => s.storage)).toEqual(expect.arrayContaining(['ceph', 'local-lvm']));

    expect(ZNextId.parse(await c.request('GET', '/cluster/nextid'))).toBeGreaterThanOrEqual(100);
    const vmid = await nextFreeVmid(c, { min: 10000, max: 10099 });
    expect(vmid).toBe(10000);

    const marker = `betang-run=${flavour}-1`;
    const cloned = await cloneToFreeVmid(c, {
      node: 'pve1',
      templateVmid: 9000,
      range: { min: 10000, max: 10099 },
      preferredVmid: vmid,
      ownerMarker: marker,
      name: 'vps-10000',
      storage: 'ceph',
      pool: 'customers',
      taskDeadlineMs: 20_000,
    });
    expect(cloned).toMatchObject({ vmid, node: 'pve1', adopted: false, attempts: 1 });
    const cloneTask = parseUpid(cloned.upid as string);
    expect(cloneTask).toMatchObject({ node: 'pve1', type: 'qmclone', id: '9000' });

    const keys = [sshKey('admin@kalteng'), sshKey('ops (laptop)')];
    const vm = c.vm('pve1', vmid);
    await vm.updateConfig(
      {
        cores: 2,
        memory: '2048',
        agent: '1',
        net0: 'virtio,bridge=vmbr0,firewall=1',
        sshkeys: encodeSshKeys(keys),
        tags: formatTags(['betang', `run-${flavour}-1`]),
        ipconfig0: 'ip=10.20.0.50/24,gw=10.20.0.1',
        nameserver: '10.20.0.1',
        ciuser: 'admin',
      },
      TASK,
    );
    const cfg = await vm.config({ current: true });
    expect(cfg).toMatchObject({ cores: 2, memory: 2048, agent: true, tags: ['betang', `run-${flavour}-1`] });
    expect(decodeSshKeys(cfg.sshkeys)).toEqual(keys);
    expect(cfg.description).toContain(marker);
    const mac = /=([0-9A-F:]{17})/i.exec(String(cfg.net0))?.[1]?.toLowerCase();
    expect(mac).toMatch(/^bc:24:11:/);

    expect((await findVmByTag(c, `run-${flavour}-1`))?.vmid).toBe(vmid);

    await vm.resizeDisk('scsi0', '10G', TASK);
    expect(h.sim.state.vm(vmid)?.config.scsi0).toContain('size=10G');

    await vm.start(TASK);
    const st = await vm.status();
    expect(st.status).toBe('running');
    // PVE fails a second start inside its task (`VM N already running`); the client counts it as started.
    await expect(vm.start(TASK)).resolves.toBeUndefined();
    expect(
      h.sim.state
        .tasks()
        .filter((t) => t.type === 'qmstart')
        .map((t) => t.exitstatus),
    ).toContain(`VM ${vmid} already running`);

    // The agent is not up right after start: that is transient, then the interfaces appear.
    const seen = new Set<string>();
    let ip: string | undefined;
    for (let i = 0; i < 500 && !ip; i++) {
      try {
        const ifaces = await vm.agent.networkInterfaces();
        const nic = ifaces.find((n) => n['hardware-address']?.toLowerCase() === mac);
        ip = nic?.['ip-addresses']?.find((a) => a['ip-address-type'] === 'ipv4')?.['ip-address'];
      } catch (err) {
        const k = classifyPveError(err);
        expect(k.kind).toBe('transient');
        seen.add(k.code);
      }
      if (!ip) await new Promise((r) => setTimeout(r, 20));
    }
    expect(ip).toBe('10.20.0.50');
    expect([...seen].every((code) => code === 'agent-not-running' || code === 'agent-timeout')).toBe(true);
    expect(seen.size).toBeGreaterThan(0);

    const hostname = await vm.agent.exec(['cat', '/etc/hostname'], { deadlineMs: 5_000, pollMs: 20 });
    expect(hostname.code).toBe(0);

    const destroyRunning = await vm.destroy(TASK).catch((e: unknown) => e);
    expect(classifyPveError(destroyRunning)).toEqual({ kind: 'permanent', code: 'vm-state' });

    await vm.stop(TASK);
    expect((await vm.status()).status).toBe('stopped');
    await vm.destroy(TASK);
    const gone = await vm.config().catch((e: unknown) => e);
    expect(classifyPveError(gone)).toEqual({ kind: 'permanent', code: 'not-found' });
    await expect(vm.findConfig()).resolves.toBeUndefined();
    expect(h.sim.state.vm(vmid)).toBeUndefined();

    const snap = counter.snapshot();
    expect(snap.byRoute['POST /nodes/{node}/qemu/{vmid}/clone']?.calls).toBe(1);
    expect(snap.byRoute['GET /nodes/{node}/tasks/{upid}/status']?.calls).toBeGreaterThan(0);
    expect(Object.keys(snap.byRoute).every((k) => !/\d{3,}/.test(k))).toBe(true);
  });
});
