import type { Db, RunRow } from '@betang/db';
import { createTestDatabase, makeOperator, makeQueuedProvisionRun, type QueuedProvision, type TestDatabase } from '@betang/testkit';
import type { WorkerDeps } from '../deps';
import { reconcileCluster } from '../reconcile/reconcile-cluster';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { withCloneSlot } from './clone-slot';
import { PlacementLedger } from './placement-ledger';
import { runMarker } from './provision-context';

/**
 * A clone whose PVE worker died (node crash, SIGKILL: the simulator's stale-clone-lock fault
 * leaves exactly what PVE leaves — the new VM's config with `lock: clone` and no running task)
 * must not stall the run for the clone deadline, nor hold a clone slot while a live lock is
 * waited for. Each attempt runs in a fresh context with no in-process step retry, as after a
 * restart of the worker.
 */
jest.setTimeout(180_000);

/** Production's clone deadline: 30 minutes of waiting on a lock that nothing will ever clear. */
const REAL_CLONE_DEADLINE_SECONDS = 1800;

describe('a VM left locked by a clone whose worker died', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;
  let baselineMs = 0;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db);
    await makeOperator(db);
    // The time a healthy provision takes here: the budget of the tests below is a multiple of it.
    const q = await queued();
    const started = Date.now();
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    baselineMs = Date.now() - started;
  });
  beforeEach(() => new PlacementLedger(db).clear());
  afterEach(() => env.healthy());
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  async function queued(): Promise<QueuedProvision> {
    const q = await makeQueuedProvisionRun(db, { ports: [443] });
    env.portsByHostname.set(q.hostname, q.ports);
    return q;
  }

  /** `run` settles within `ratio` × the healthy baseline (plus the attempts' retry waits), or the test fails. */
  async function within<T>(ratio: number, run: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const budget = Math.max(ratio * baselineMs, 5_000);
    const late = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`not done within ${ratio}× the baseline (${budget} ms)`)), budget)),
    );
    try {
      return await Promise.race([run, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  const deps = (config: Partial<WorkerDeps['config']>): WorkerDeps => ({
    ...env.deps,
    config: { ...env.deps.config, STEP_RETRIES: 0, ...config },
  });
  const lockedVms = () => env.sim.state.listVms().filter((v) => (v.config as Record<string, unknown>).lock === 'clone');
  // Each test looks only at the locks it made (an earlier test's lock is cleared by its end, but not if it failed).
  let lockedBefore = new Set<number>();
  beforeEach(() => {
    lockedBefore = new Set(lockedVms().map((v) => v.vmid));
  });
  const newLockedVms = () => lockedVms().filter((v) => !lockedBefore.has(v.vmid));

  async function expectProceededPastAbandoned(q: QueuedProvision, run: RunRow, ours: boolean) {
    expect(run.status).toBe('succeeded');
    const [stale, ...more] = newLockedVms();
    expect(more).toEqual([]);
    expect(stale).toBeDefined();
    const description = String((stale!.config as Record<string, unknown>).description ?? '');
    expect(description.split('\n').includes(runMarker(q.runId))).toBe(ours);
    const vm = await db.selectFrom('vms').select(['vmid', 'state']).where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
    expect(vm.state).toBe('running');
    expect(vm.vmid).not.toBe(stale!.vmid);
    const finding = await db
      .selectFrom('reconcileFindings')
      .selectAll()
      .where('fingerprint', '=', `abandoned_lock:${stale!.vmid}`)
      .executeTakeFirstOrThrow();
    expect(finding).toMatchObject({ kind: 'abandoned_lock', status: 'open', vmid: stale!.vmid, node: stale!.node });
    expect(finding.messageEn).toContain(`qm unlock ${stale!.vmid}`);
    expect(finding.detail).toMatchObject({ lock: 'clone', ours });

    // The reconciler sees the same lock with no task and keeps the finding open (not as an orphan);
    // once root has cleared it (`qm unlock`), the finding resolves.
    await reconcileCluster(env.deps);
    expect(
      await db
        .selectFrom('reconcileFindings')
        .select(['kind', 'status'])
        .where('vmid', '=', stale!.vmid)
        .where('status', '=', 'open')
        .execute(),
    ).toEqual([{ kind: 'abandoned_lock', status: 'open' }]);
    env.sim.faults.setConfigLock(stale!.vmid, undefined);
    await reconcileCluster(env.deps);
    expect(
      (
        await db
          .selectFrom('reconcileFindings')
          .select('status')
          .where('fingerprint', '=', `abandoned_lock:${stale!.vmid}`)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('resolved');
  }

  it('should report a bare placeholder (no owner marker) and clone elsewhere, without waiting out the clone deadline', async () => {
    const q = await queued();
    env.sim.faults.staleCloneLock(1, 'placeholder');
    const run = await within(6, runToEnd(deps({ PVE_CLONE_TASK_SECONDS: REAL_CLONE_DEADLINE_SECONDS }), q.runId, { attempts: 4 }));
    await expectProceededPastAbandoned(q, run, false);
  });

  it('should treat its own half-cloned VM (marker written, still locked, no task) the same way', async () => {
    const q = await queued();
    env.sim.faults.staleCloneLock(1, 'after-first-disk');
    const run = await within(6, runToEnd(deps({ PVE_CLONE_TASK_SECONDS: REAL_CLONE_DEADLINE_SECONDS }), q.runId, { attempts: 4 }));
    await expectProceededPastAbandoned(q, run, true);
  });

  it('should hold no clone slot while waiting for a live clone of its own, then adopt it', async () => {
    const q = await queued();
    // Attempt 1's worker gives up on a slow clone (as if it died); PVE's clone task goes on.
    env.sim.faults.slowTasks('qmclone', 40);
    const first = await runToEnd(deps({ PVE_CLONE_TASK_SECONDS: 1 }), q.runId, { attempts: 4, maxExecutions: 1 });
    expect(first.status).not.toBe('failed');
    expect(env.sim.state.tasks().some((task) => task.type === 'qmclone' && task.status === 'running')).toBe(true);

    // Attempt 2 waits for that clone. One slot per node: were it held, nobody else could clone meanwhile.
    const second = runToEnd(deps({ PVE_CLONE_TASK_SECONDS: 120, PVE_CLONE_LIMIT_PER_NODE: 1 }), q.runId, { attempts: 4, firstAttempt: 1 });
    let settled = false;
    void second.finally(() => (settled = true));
    let checks = 0;
    while (!settled && env.sim.state.tasks().some((task) => task.type === 'qmclone' && task.status === 'running')) {
      await expect(withCloneSlot(db, 'pve1', 1, 0, async () => 'free')).resolves.toBe('free');
      checks += 1;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(checks).toBeGreaterThan(3);
    const run = await second;
    expect(run.status).toBe('succeeded');
    const steps = await db.selectFrom('runSteps').select(['key', 'detail']).where('runId', '=', q.runId).execute();
    expect(steps.find((s) => s.key === 'clone')?.detail).toContain('adopted');
    expect(newLockedVms()).toEqual([]);
  });
});
