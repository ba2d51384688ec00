import { classifyPveError } from '../errors/classify-pve-error';
import { cloneToFreeVmid, lostRace } from '../clone/clone-to-free-vmid';
import { readTaskState } from '../tasks/task-state';
import { waitForTask } from '../tasks/wait-for-task';
import type { SimHarness } from '../testing/sim-client';
import { bootSim } from '../testing/sim-client';

jest.setTimeout(60_000);

const TASK = { deadlineMs: 20_000, minPollMs: 20, maxPollMs: 100 };

describe.each(['pve9', 'pve8'] as const)('vmid race against the simulator (%s)', (flavour) => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await bootSim(flavour);
  });
  afterAll(() => h.close());

  it('should reproduce PVE: two clones to one nextid, the second fails', async () => {
    const [a, b] = [h.extra(), h.extra()];
    const id = 30000;
    const attempt = async (c: typeof a): Promise<unknown> => {
      const upid = await c.vm('pve1', 9000).clone({ newid: id, full: true, storage: 'ceph' });
      return waitForTask(c, upid, TASK);
    };
    const results = await Promise.allSettled([attempt(a), attempt(b)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    const reason = failed[0]?.reason as Error;
    expect(['already-exists', 'lock-timeout']).toContain(classifyPveError(reason).code);
    expect(reason.message).toContain(String(id));
    expect(h.sim.state.vm(id)?.lock).toBeUndefined();
  });

  it('should hand back a detached clone at once, its task still running, and name a lost id by its task failure', async () => {
    const id = 30300;
    const started = await Promise.all(
      ['betang-run=d1', 'betang-run=d2'].map((ownerMarker) =>
        cloneToFreeVmid(h.extra(), {
          node: 'pve1',
          templateVmid: 9000,
          range: { min: 30300, max: 30399 },
          preferredVmid: id,
          preferredKnownFree: true,
          ownerMarker,
          storage: 'ceph',
          taskDeadlineMs: 20_000,
          detach: true,
        }),
      ),
    );
    for (const r of started) expect(r).toMatchObject({ running: true, adopted: false, upid: expect.stringContaining(':qmclone:') });
    // Looked at as a parked run does: one read of the task's status at a time, never waiting in it.
    const ends = await Promise.all(
      started.map(async (r) => {
        for (;;) {
          const state = await readTaskState(h.extra(), r.upid!).catch((e: unknown) => e);
          if (state instanceof Error) return { vmid: r.vmid, failure: state };
          if (!(state as { running: boolean }).running) return { vmid: r.vmid, failure: undefined };
          await new Promise((done) => setTimeout(done, 50));
        }
      }),
    );
    // Both went for the same id: PVE lets one copy finish, the other's task fails on the id's lock.
    const failed = ends.filter((e) => e.failure !== undefined);
    expect(failed).toHaveLength(started.filter((r) => r.vmid === id).length - 1);
    for (const f of failed) expect(lostRace(f.failure, f.vmid)).toBe(true);
    expect(h.sim.state.vm(id)?.lock).toBeUndefined();
  });

  it('should let three racing workers each end up with their own VM, the losers moving on', async () => {
    const markers = ['betang-run=r1', 'betang-run=r2', 'betang-run=r3'];
    const lost: number[][] = [[], [], []];
    const results = await Promise.all(
      markers.map((ownerMarker, i) =>
        cloneToFreeVmid(h.extra(), {
          node: 'pve1',
          templateVmid: 9000,
          range: { min: 30100, max: 30199 },
          preferredVmid: 30100,
          ownerMarker,
          storage: 'ceph',
          taskDeadlineMs: 20_000,
          onVmidLost: (v) => lost[i]?.push(v),
        }),
      ),
    );
    const ids = results.map((r) => r.vmid);
    expect(new Set(ids).size).toBe(3);
    expect(ids).toContain(30100);
    results.forEach((r, i) => {
      expect(h.sim.state.vm(r.vmid)?.config.description).toBe(markers[i]);
      expect(h.sim.state.vm(r.vmid)?.lock).toBeUndefined();
      expect(r.lost).toEqual(lost[i]);
      expect(r.lost).not.toContain(r.vmid);
    });
    expect(results.filter((r) => r.lost.length > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('should adopt, not clone again, when the step is retried for the same run', async () => {
    const opts = {
      node: 'pve1',
      templateVmid: 9000,
      range: { min: 30200, max: 30299 },
      ownerMarker: 'betang-run=retry',
      storage: 'ceph',
      taskDeadlineMs: 20_000,
    };
    const first = await cloneToFreeVmid(h.client, opts);
    const tasksBefore = h.sim.state.tasks().filter((t) => t.type === 'qmclone').length;
    const again = await cloneToFreeVmid(h.client, { ...opts, preferredVmid: first.vmid });
    expect(again).toMatchObject({ vmid: first.vmid, adopted: true });
    expect(h.sim.state.tasks().filter((t) => t.type === 'qmclone')).toHaveLength(tasksBefore);
  });
});
