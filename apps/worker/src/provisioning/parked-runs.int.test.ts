import { randomBytes } from 'node:crypto';
import { getRun, listRunSteps, type Db, type RunRow } from '@betang/db';
import { createJobProducer, createQueueBackend, startWorkers } from '@betang/queue';
import {
  createTestDatabase,
  makeOperator,
  makeQueuedActionRun,
  makeQueuedProvisionRun,
  type QueuedProvision,
  type TestDatabase,
} from '@betang/testkit';
import { executeRun, type JobAttempt } from '../harness/execute-run';
import { harnessOptions } from '../harness/job-attempt';
import { relayJobsOnce } from '../outbox/job-relay';
import { settingsOf } from '../settings';
import { actionDefinition } from './actions/action.definition';
import { completeHandlers, startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';

jest.setTimeout(240_000);

const RUNS = 4;

/** The most runs alive (started, not finished) at one instant. */
function peakOverlap(runs: RunRow[]): number {
  const edges = runs.flatMap((r) => [
    { at: new Date(r.startedAt as Date).getTime(), d: 1 },
    { at: new Date(r.finishedAt as Date).getTime(), d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let alive = 0;
  let peak = 0;
  for (const e of edges) peak = Math.max(peak, (alive += e.d));
  return peak;
}

describe('parked runs: a waiting run holds no worker slot', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;
  const provisioned: QueuedProvision[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    // Slower than the other int tests, so that a guest's boot is a wait worth parking (≈ 5 s to the agent).
    env = await startProvisioningEnv(db, { timeFactor: 0.25 }, { GUEST_AGENT_WAIT_SECONDS: 60, GUEST_CLOUD_INIT_WAIT_SECONDS: 60 });
    await makeOperator(db);
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it(`should provision ${RUNS} VPSs through ONE worker slot with their clones and boots overlapping, each run on its first attempt`, async () => {
    const queued: QueuedProvision[] = [];
    for (let i = 0; i < RUNS; i++) {
      const q = await makeQueuedProvisionRun(db, { ports: [] });
      env.portsByHostname.set(q.hostname, q.ports);
      queued.push(q);
    }
    const backend = createQueueBackend({
      kind: 'redis',
      url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      prefix: `bt-park-${randomBytes(4).toString('hex')}`,
    });
    const producer = createJobProducer(backend);
    const workers = startWorkers(backend, completeHandlers(env.deps), {
      concurrency: { provisioning: 1, maintenance: 1, notifications: 1 },
    });
    const parkedSeen = new Set<string>();
    const cloneParkedSeen = new Set<string>();
    // Clones per node at once, from PVE's side (the simulator's running qmclone tasks).
    let peakClones = 0;
    // Long enough (≈ 8 s) that a copy is a wait worth parking.
    env.sim.faults.slowTasks('qmclone', 4);
    const began = Date.now();
    let runs: RunRow[];
    try {
      expect(await relayJobsOnce(db, producer, env.deps.logger)).toBe(RUNS);
      for (;;) {
        runs = await Promise.all(queued.map(async (q) => (await getRun(db, q.runId)) as RunRow));
        for (const r of runs) if (r.parkedUntil) parkedSeen.add(r.id);
        const copying = new Map<string, number>();
        for (const task of env.sim.state.tasks())
          if (task.type === 'qmclone' && task.status === 'running') copying.set(task.node, (copying.get(task.node) ?? 0) + 1);
        peakClones = Math.max(peakClones, ...copying.values());
        const parkedClones = await db
          .selectFrom('runSteps')
          .select('runId')
          .where('key', '=', 'clone')
          .where('parkedUntil', 'is not', null)
          .where(
            'runId',
            'in',
            queued.map((q) => q.runId),
          )
          .execute();
        for (const p of parkedClones) cloneParkedSeen.add(p.runId);
        if (runs.every((r) => r.status === 'succeeded' || r.status === 'failed')) break;
        if (Date.now() - began > 200_000)
          throw new Error(`runs not finished: ${runs.map((r) => `${r.status}@${r.currentStep}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      env.sim.faults.slowTasks('qmclone', 1);
      await Promise.all(workers.map((w) => w.close()));
      await producer.close();
      await backend.close();
    }
    const elapsed = Date.now() - began;
    expect(runs.map((r) => [r.status, r.attempt, r.parkedUntil])).toEqual(queued.map(() => ['succeeded', 1, null]));
    // One slot: runs can only be alive together because a waiting run gave the slot up.
    expect(peakOverlap(runs)).toBeGreaterThanOrEqual(2);
    expect(parkedSeen.size).toBeGreaterThanOrEqual(2);
    // The copies park too: through one slot, up to the clone limit of a node copy at once, never more.
    expect(cloneParkedSeen.size).toBeGreaterThanOrEqual(2);
    expect(peakClones).toBeGreaterThanOrEqual(2);
    expect(peakClones).toBeLessThanOrEqual(settingsOf(env.deps).PVE_CLONE_LIMIT_PER_NODE);
    // Every copy ended: no lease left behind.
    expect(await db.selectFrom('cloneLeases').selectAll().execute()).toEqual([]);
    // Together they take clearly less than one after the other.
    const each = runs.map((r) => new Date(r.finishedAt as Date).getTime() - new Date(r.startedAt as Date).getTime());
    expect(elapsed).toBeLessThan(each.reduce((a, b) => a + b, 0) * 0.8);
    // Parking is no new attempt of the step: every step ran on attempt 1, the memo is gone.
    for (const q of queued) {
      const steps = await listRunSteps(db, q.runId);
      expect(steps.filter((s) => s.status === 'done').every((s) => s.attempt === 1 && s.memo === null && s.parkedUntil === null)).toBe(
        true,
      );
    }
    provisioned.push(...queued);
  });

  it('should park a slow guest shutdown on its task UPID and send the shutdown to PVE once', async () => {
    const q = provisioned[0];
    if (!q) throw new Error('needs a provisioned VM');
    const vm = await db.selectFrom('vms').select(['vmid']).where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
    env.sim.faults.slowTasks('qmshutdown', 8);
    const runId = await makeQueuedActionRun(db, q.requestId, 'shutdown');
    const def = actionDefinition(env.deps, 'shutdown');
    const parks: number[] = [];
    const job: JobAttempt = {
      attemptsMade: 0,
      attempts: 3,
      async park(until) {
        parks.push(until);
        const err = new Error('parked');
        err.name = 'DelayedError';
        throw err;
      },
    };
    const memos: unknown[] = [];
    try {
      for (let i = 0; ; i++) {
        const outcome = await executeRun(def, runId, job, harnessOptions(env.deps)).catch((e: unknown) => e);
        if (!(outcome instanceof Error)) break;
        expect(outcome.name).toBe('DelayedError');
        const step = await db
          .selectFrom('runSteps')
          .select(['memo', 'parkedUntil', 'status'])
          .where('runId', '=', runId)
          .where('key', '=', 'power')
          .executeTakeFirstOrThrow();
        expect(step.status).toBe('running');
        memos.push(step.memo);
        if (i > 20) throw new Error('never finished');
        await new Promise((r) => setTimeout(r, Math.max(0, (parks.at(-1) ?? 0) - Date.now())));
      }
    } finally {
      env.sim.faults.slowTasks('qmshutdown', 1);
    }
    expect((await getRun(db, runId))?.status).toBe('succeeded');
    expect(env.sim.state.vm(vm.vmid as number)?.status).toBe('stopped');
    expect(parks.length).toBeGreaterThanOrEqual(1);
    // Every park carried the same task: the shutdown was requested once.
    expect(new Set(memos.map((m) => (m as { upid: string }).upid)).size).toBe(1);
    const shutdowns = env.sim.state.tasks().filter((task) => task.type === 'qmshutdown' && task.id === String(vm.vmid));
    expect(shutdowns).toHaveLength(1);
  });
});
