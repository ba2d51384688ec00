import { PveTaskFailedError } from '../tasks/pve-task-errors';
import { classifyPveError } from '../errors/classify-pve-error';
import { AgentExecTimeoutError } from '../errors/agent-exec-timeout-error';
import { createCallCounter } from '../metrics/call-counter';
import { waitForTask } from '../tasks/wait-for-task';
import type { SimHarness } from '../testing/sim-client';
import { bootSim } from '../testing/sim-client';

jest.setTimeout(60_000);

const TASK = { deadlineMs: 20_000 };
const VMID = 21000;

describe('vmClient against the simulator', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await bootSim('pve9', 0.01, 5, 20);
    await waitForTask(
      h.client,
      await h.client.vm('pve1', 9000).clone({ newid: VMID, full: true, storage: 'ceph', name: 'vps-vm-client' }),
      TASK,
    );
    await h.client.vm('pve1', VMID).updateConfig({ agent: '1', net0: 'virtio,bridge=vmbr0', ipconfig0: 'ip=dhcp' }, TASK);
  });
  afterEach(() => h.sim.faults.reset());
  afterAll(() => h.close());

  it('should re-send a task-creating call after "got no worker upid", and only then', async () => {
    const counter = createCallCounter();
    const vm = h.extra({ onCall: counter.onCall }).vm('pve1', VMID);
    h.sim.faults.noWorkerUpid(2);
    await vm.updateConfig({ cores: 2 }, TASK);
    expect(counter.snapshot().byRoute['POST /nodes/{node}/qemu/{vmid}/config']?.calls).toBe(3);
    expect(h.sim.state.vm(VMID)?.config.cores).toBe('2');

    h.sim.faults.noWorkerUpid(3);
    const err = await vm.updateConfig({ cores: 3 }, TASK).catch((e: unknown) => e);
    expect(classifyPveError(err)).toEqual({ kind: 'transient', code: 'no-worker' });
  });

  it('should apply a synchronous PUT config without a task', async () => {
    const vm = h.client.vm('pve1', VMID);
    const tasks = h.sim.state.tasks().length;
    await vm.updateConfigNow({ description: 'sync' });
    expect((await vm.config()).description).toBe('sync');
    expect(h.sim.state.tasks()).toHaveLength(tasks);
  });

  it('should take start twice, refuse reboot of a stopped VM, and shut down a running one', async () => {
    const vm = h.client.vm('pve1', VMID);
    const rebootStopped = await vm.reboot(TASK).catch((e: unknown) => e);
    expect(classifyPveError(rebootStopped)).toEqual({ kind: 'permanent', code: 'vm-state' });
    await vm.start(TASK);
    await vm.start(TASK);
    expect((await vm.status()).status).toBe('running');
    await vm.shutdown({ ...TASK, timeoutSeconds: 30, forceStop: true });
    expect((await vm.status()).status).toBe('stopped');
    const shutdown = h.sim.state.tasks().filter((t) => t.type === 'qmshutdown');
    expect(shutdown.at(-1)?.exitstatus).toBe('OK');
    // Stopping a stopped VM ends OK in PVE.
    await expect(vm.stop(TASK)).resolves.toBeUndefined();
  });

  it('should give up on an agent command that never exits, naming the VM', async () => {
    const vm = h.client.vm('pve1', VMID);
    await vm.start(TASK);
    h.sim.faults.setGuestCommandHandler(() => ({ code: 0, readyAt: Date.now() + 60_000 }));
    let err: unknown;
    for (let i = 0; i < 200 && !(err instanceof AgentExecTimeoutError); i++) {
      err = await vm.agent.exec(['sleep', '60'], { deadlineMs: 300, pollMs: 20 }).catch((e: unknown) => e);
      if (!(err instanceof AgentExecTimeoutError)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(err).toBeInstanceOf(AgentExecTimeoutError);
    expect(err).toMatchObject({ vmid: VMID });
    expect(classifyPveError(err)).toEqual({ kind: 'transient', code: 'agent-timeout' });
    h.sim.faults.setGuestCommandHandler(undefined);
    await vm.stop(TASK);
  });

  it('should refuse to destroy a protected VM until protection is cleared, and read its SMBIOS uuid', async () => {
    const vm = h.client.vm('pve1', VMID);
    await vm.setProtection(true);
    const cfg = await vm.config();
    expect(cfg.protection).toBe(true);
    expect(cfg.smbios1).toMatch(/^uuid=[0-9a-f-]{36}/);
    const refused = await vm.destroy(TASK).catch((e: unknown) => e);
    expect(classifyPveError(refused)).toEqual({ kind: 'permanent', code: 'protected' });
    expect(h.sim.state.vm(VMID)).toBeDefined();
    await vm.setProtection(false);
    await vm.setProtection(false);
    expect((await vm.config()).protection).toBeUndefined();
  });

  it('should take, list, roll back and delete snapshots, each safe to repeat', async () => {
    const vm = h.client.vm('pve1', VMID);
    await vm.takeSnapshot('betang-a1', { description: 'pertama' }, TASK);
    await vm.takeSnapshot('betang-a1', { description: 'pertama' }, TASK);
    await vm.updateConfigNow({ description: 'after' });
    const { snapshots, currentParent } = await vm.snapshots();
    expect(snapshots.map((s) => [s.name, s.description, s.vmstate])).toEqual([['betang-a1', 'pertama', false]]);
    expect(currentParent).toBe('betang-a1');
    await vm.updateConfig({ cores: 3 }, TASK);
    await vm.rollbackSnapshot('betang-a1', {}, TASK);
    expect((await vm.config()).cores).not.toBe(3);
    h.sim.faults.setConfigLock(VMID, 'backup');
    const locked = await vm.takeSnapshot('betang-a2', {}, TASK).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(PveTaskFailedError);
    expect((locked as PveTaskFailedError).exitstatus).toBe('VM is locked (backup)');
    h.sim.faults.setConfigLock(VMID, undefined);
    await vm.deleteSnapshot('betang-a1', TASK);
    await vm.deleteSnapshot('betang-a1', TASK);
    expect((await vm.snapshots()).snapshots).toEqual([]);
    await expect(vm.takeSnapshot('1-bad', {}, TASK)).rejects.toThrow(RangeError);
  });

  it('should destroy with purge and unreferenced disks, leaving nothing', async () => {
    const vm = h.client.vm('pve1', VMID);
    await vm.destroy(TASK);
    expect(h.sim.state.vm(VMID)).toBeUndefined();
    await expect(vm.findConfig()).resolves.toBeUndefined();
  });
});
