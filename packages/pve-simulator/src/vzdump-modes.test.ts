import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { simApi } from './testing/sim-test-kit';

/**
 * vzdump's `stop` and `suspend` modes as PVE::VZDump and PVE::VZDump::QemuServer run them: the
 * guest is shut down (stop) or paused (suspend) for the start of the backup and running again
 * when the task ends; a guest that was off is backed up in stop mode and stays off.
 */
describe('vzdump modes: the guest power state during the task', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0.01 });
    const api = simApi(sim);
    for (const vmid of [201, 202, 203]) {
      await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: vmid, full: 1, storage: 'ceph', name: `vm-${vmid}` });
    }
    await api.task('POST', '/nodes/pve1/qemu/201/status/start', {});
    await api.task('POST', '/nodes/pve1/qemu/202/status/start', {});
  });
  afterAll(() => sim.close());

  /** Runs a vzdump of `vmid` in `mode`, sampling the guest's qmpstatus until the task ends. */
  async function backup(vmid: number, mode: string): Promise<{ seen: Set<string>; log: string[]; exitstatus?: string }> {
    const api = simApi(sim);
    sim.faults.slowTasks('vzdump', 20);
    const upid = (await api.post('/nodes/pve1/vzdump', { vmid: String(vmid), storage: 'pbs', mode })).body?.data as string;
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const status = (await api.get(`/nodes/pve1/qemu/${vmid}/status/current`)).body?.data as { qmpstatus: string };
      seen.add(status.qmpstatus);
      const task = (await api.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).body?.data as { status: string };
      if (task.status === 'stopped') break;
      await new Promise((r) => setTimeout(r, 15));
    }
    sim.faults.slowTasks('vzdump', 1);
    const done = await api.waitTask(upid);
    const log = (
      (await api.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`, { limit: '200' })).body?.data as Array<{ t: string }>
    ).map((l) => l.t);
    return { seen, log, exitstatus: done.exitstatus as string | undefined };
  }

  test('stop mode shuts the guest down, starts it again for the backup job and leaves it running', async () => {
    const { seen, log, exitstatus } = await backup(201, 'stop');
    expect(exitstatus).toBe('OK');
    expect(seen.has('stopped')).toBe(true);
    expect(sim.state.vm(201)?.status).toBe('running');
    expect(log).toContain('INFO: backup mode: stop');
    const stopping = log.indexOf('INFO: stopping virtual guest');
    const starting = log.indexOf('INFO: starting kvm to execute backup task');
    const resumed = log.findIndex((l) => /^INFO: resuming VM again after (\d+|<1) seconds$/.test(l));
    expect(stopping).toBeGreaterThan(-1);
    expect(starting).toBeGreaterThan(stopping);
    expect(resumed).toBeGreaterThan(starting);
  });

  test('suspend mode pauses the guest (QEMU stays) and resumes it once the backup job runs', async () => {
    const { seen, log, exitstatus } = await backup(202, 'suspend');
    expect(exitstatus).toBe('OK');
    expect(seen.has('paused')).toBe(true);
    expect(seen.has('stopped')).toBe(false);
    expect((await simApi(sim).get('/nodes/pve1/qemu/202/status/current')).body?.data).toMatchObject({
      status: 'running',
      qmpstatus: 'running',
    });
    expect(log).toContain('INFO: backup mode: suspend');
    expect(log.indexOf('INFO: suspending guest')).toBeLessThan(log.findIndex((l) => l.startsWith('INFO: resuming VM again after')));
  });

  test('a guest that is off is backed up in stop mode whatever was asked, and stays off', async () => {
    const { seen, log, exitstatus } = await backup(203, 'snapshot');
    expect(exitstatus).toBe('OK');
    expect([...seen]).toEqual(['stopped']);
    expect(log).toContain('INFO: backup mode: stop');
    expect(log).not.toContain('INFO: stopping virtual guest');
    expect(log.some((l) => l.includes('resuming'))).toBe(false);
  });

  test('a running guest under HA (started) refuses stop mode with PVE’s message, and keeps running', async () => {
    const api = simApi(sim);
    expect((await api.post('/cluster/ha/resources', { sid: 'vm:201', state: 'started' })).status).toBe(200);
    const { log, exitstatus } = await backup(201, 'stop');
    expect(exitstatus).toBe('job errors');
    expect(log.join('\n')).toContain(
      'ERROR: Backup of VM 201 failed - Cannot execute a backup with stop mode on a HA managed and enabled Service. Use snapshot mode or disable the Service.',
    );
    expect(sim.state.vm(201)?.status).toBe('running');
  });
});
