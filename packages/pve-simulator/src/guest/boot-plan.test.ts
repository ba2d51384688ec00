import { startSimulator } from '../simulator';
import type { RunningSimulator } from '../simulator';
import { simApi } from '../testing/sim-test-kit';

type ExecOut = { exitcode: number; 'out-data'?: string; 'err-data'?: string };

/** Runs argv through the agent; resolves with exec-status once it has exited, and when it did. */
async function agentExec(sim: RunningSimulator, vmid: number, argv: string[]): Promise<ExecOut & { at: number }> {
  const api = simApi(sim);
  const started = await api.post(`/nodes/pve1/qemu/${vmid}/agent/exec`, { command: argv });
  if (started.status !== 200) throw new Error(`${started.status} ${started.reason}`);
  const pid = (started.body?.data as { pid: number }).pid;
  for (;;) {
    const s = (await api.get(`/nodes/pve1/qemu/${vmid}/agent/exec-status`, { pid })).body?.data as { exited: boolean } & ExecOut;
    if (s.exited) return { ...s, at: Date.now() };
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()) + 5));

describe('an emulated guest boots on a plan: agent, address, host keys, cloud-init', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0.2, agentBootSeconds: 20 });
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 810, full: 1, name: 'vps-boot' });
    await api.task('POST', '/nodes/pve1/qemu/810/config', { ciuser: 'betang', ipconfig0: 'ip=dhcp', agent: '1' });
    await api.task('POST', '/nodes/pve1/qemu/810/status/start');
  });
  afterAll(() => sim.close());

  test("host key missing until cloud-init's ssh module ran, cloud-init running then done, --wait blocking until done", async () => {
    const plan = sim.state.bootPlan(810)!;
    expect(plan.timeoutUntil < plan.linkLocalUntil && plan.linkLocalUntil < plan.hostKeysAt && plan.hostKeysAt < plan.cloudInitDoneAt).toBe(
      true,
    );
    const early = await simApi(sim).post('/nodes/pve1/qemu/810/agent/ping');
    expect([early.status, early.reason]).toEqual([500, 'QEMU guest agent is not running']);

    await sleepUntil(plan.linkLocalUntil);
    const key = await agentExec(sim, 810, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub']);
    expect(key).toMatchObject({ exitcode: 1, 'err-data': 'cat: /etc/ssh/ssh_host_ed25519_key.pub: No such file or directory\n' });
    expect(JSON.parse((await agentExec(sim, 810, ['cloud-init', 'status', '--format', 'json']))['out-data'] ?? '')).toMatchObject({
      status: 'running',
      detail: 'Running in stage: init',
    });
    expect(sim.state.guestSshEndpoint(810)).toBeDefined();

    await sleepUntil(plan.hostKeysAt);
    const waited = await agentExec(sim, 810, ['cloud-init', 'status', '--wait']);
    expect(waited.at).toBeGreaterThanOrEqual(plan.cloudInitDoneAt);
    expect(waited).toMatchObject({ exitcode: 0, 'out-data': '...\nstatus: done\n' });
    expect((await agentExec(sim, 810, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub']))['out-data']).toBe(`${sim.state.hostKey(810)}\n`);
  });

  test('a rebooted guest keeps its host keys from the start (same cloud-init instance)', async () => {
    const before = sim.state.hostKey(810);
    await simApi(sim).task('POST', '/nodes/pve1/qemu/810/status/reboot');
    const plan = sim.state.bootPlan(810)!;
    expect(plan.hostKeysAt).toBeLessThanOrEqual(plan.timeoutUntil);
    await sleepUntil(plan.timeoutUntil);
    expect((await agentExec(sim, 810, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub']))['out-data']).toBe(`${before}\n`);
  });

  test('destroying a VM makes every handler that ever answered for it forget the guest, also behind a wrapper', async () => {
    const forgotten: number[] = [];
    const emulation = Object.assign(() => undefined, { forget: (vmid: number) => void forgotten.push(vmid) });
    sim.faults.setGuestCommandHandler(emulation);
    sim.faults.setGuestCommandHandler((vmid, command) => (command === 'true' ? { code: 0 } : emulation()));
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/810/status/stop');
    await api.task('DELETE', '/nodes/pve1/qemu/810');
    expect(forgotten).toEqual([810]);
    expect(sim.state.guestSshEndpoint(810)).toBeUndefined();
  });
});
