import { stepDetailIn } from '@betang/core';
import { PveApiError } from '@betang/proxmox';
import { pino } from 'pino';
import { fakeRunStore } from '../testing/fake-run-store';
import { createWorkerMetrics } from '../ops/worker-metrics';
import { executeRun, RunFailedError, type HarnessOptions, type JobAttempt } from './execute-run';
import { createStep, type Compensation, type RunDefinition, type RunFailure, type Step } from './run-definition';
import { permanent } from './run-error';

type Ctx = { calls: string[]; script: Map<string, Array<() => never>> };

const KEYS = ['reserve', 'place', 'clone', 'configure', 'start'] as const;

type Undo = { log: string[]; keep?: string; fail?: string };

function makeDef(
  ctx: Ctx,
  hooks: { failures: RunFailure[]; succeeded: number[]; started: number[] },
  undo?: Undo,
): RunDefinition<Ctx, Undo | undefined> {
  const steps: Step<Ctx, { n: number }, Undo | undefined>[] = [];
  for (const [i, key] of KEYS.entries()) {
    const previous = steps[i - 1];
    steps.push(
      createStep<Ctx, { n: number }, Undo | undefined>({
        key,
        weight: 10,
        label: { id: `langkah ${key}`, en: `step ${key}` },
        async run({ output }) {
          ctx.calls.push(key);
          if (previous) expect(output(previous).n).toBe(i - 1);
          const next = ctx.script.get(key)?.shift();
          if (next) next();
          return { result: { n: i }, detail: `did ${key}` };
        },
        // Every other step creates something; each undo is logged with what it saw.
        ...(undo && i % 2 === 0
          ? {
              async compensate({ env, output, undone }): Promise<Compensation> {
                const later = steps[i + 2];
                env?.log.push(`${key}:${output?.n ?? '-'}:${later ? String(undone(later)?.undone) : 'last'}`);
                if (env?.fail === key) throw new TypeError(`undo of ${key} broke`);
                return { undone: env?.keep !== key, detail: `undid ${key}` };
              },
            }
          : {}),
      }),
    );
  }
  return {
    name: 'test',
    steps,
    env: undo,
    load: async () => ctx,
    onStart: async () => void hooks.started.push(1),
    target: (outputs) => (outputs.get(steps[2] as Step<Ctx, { n: number }, Undo | undefined>) ? { node: 'pve2', vmid: 100042 } : {}),
    onSucceeded: async () => void hooks.succeeded.push(1),
    onFailed: async (_tx, _run, _ctx, failure) => void hooks.failures.push(failure),
  };
}

const lockedError = () =>
  new PveApiError(
    {
      status: 500,
      reason: 'VM is locked (clone)',
      message: 'VM is locked (clone)',
      method: 'POST',
      pathTemplate: '/nodes/{node}/qemu/{vmid}/config',
    },
    true,
  );

function setup(opts: Partial<HarnessOptions> = {}, undo?: Undo) {
  const store = fakeRunStore({ id: 'run-1' });
  const ctx: Ctx = { calls: [], script: new Map() };
  const hooks = { failures: [] as RunFailure[], succeeded: [] as number[], started: [] as number[] };
  const options: HarnessOptions = {
    store,
    log: pino({ level: 'silent' }),
    stopping: new AbortController().signal,
    stepRetries: 2,
    stepRetryBaseMs: 1,
    deadlineMinutes: 60,
    ...opts,
  };
  return { store, ctx, hooks, def: makeDef(ctx, hooks, undo), options };
}

const attempt = (attemptsMade: number, attempts = 3): JobAttempt => ({ attemptsMade, attempts });

describe('executeRun', () => {
  it('should run every step once, memoise results and end at success with rising progress', async () => {
    const { store, ctx, hooks, def, options } = setup();
    await expect(executeRun(def, 'run-1', attempt(0), options)).resolves.toEqual({ status: 'succeeded' });
    expect(ctx.calls).toEqual([...KEYS]);
    expect([...store.rows.values()].map((r) => [r.key, r.status, r.result])).toEqual(KEYS.map((k, i) => [k, 'done', { n: i }]));
    const percents = store.progressLog.map(([p]) => p);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBeGreaterThan(90);
    expect(hooks.succeeded).toEqual([1]);
    expect(store.run).toMatchObject({ status: 'succeeded', attempt: 1, progress: 100 });
  });

  it.each(KEYS.map((k, i) => [k, i] as const))(
    'should resume after a crash in step %s without repeating finished steps',
    async (key, index) => {
      const { store, ctx, hooks, def, options } = setup({ stepRetries: 0 });
      ctx.script.set(key, [
        () => {
          throw lockedError();
        },
      ]);
      await expect(executeRun(def, 'run-1', attempt(0), options)).rejects.toBeInstanceOf(PveApiError);
      expect(store.rows.get(key)?.status).toBe('failed');
      expect(hooks.failures).toEqual([]);
      ctx.calls.length = 0;
      await expect(executeRun(def, 'run-1', attempt(1), options)).resolves.toEqual({ status: 'succeeded' });
      expect(ctx.calls).toEqual(KEYS.slice(index));
      expect(store.rows.get(key)?.attempt).toBe(2);
      expect(store.run.attempt).toBe(2);
    },
  );

  it('should retry a transient error in-process before counting it as a failed attempt', async () => {
    const { ctx, hooks, def, options } = setup({ stepRetries: 2 });
    ctx.script.set('clone', [
      () => {
        throw lockedError();
      },
      () => {
        throw lockedError();
      },
    ]);
    await expect(executeRun(def, 'run-1', attempt(0), options)).resolves.toEqual({ status: 'succeeded' });
    expect(ctx.calls.filter((c) => c === 'clone')).toHaveLength(3);
    expect(hooks.failures).toEqual([]);
  });

  it('should fail at once on a permanent error with an actionable bilingual reason naming node and VM', async () => {
    const { store, ctx, hooks, def, options } = setup();
    ctx.script.set('configure', [
      () => {
        throw permanent('STORAGE_FULL', { id: 'Penyimpanan penuh.', en: 'Storage is full.' });
      },
    ]);
    const err = await executeRun(def, 'run-1', attempt(0, 5), options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunFailedError);
    expect((err as Error).name).toBe('UnrecoverableError');
    expect(ctx.calls.filter((c) => c === 'configure')).toHaveLength(1);
    expect(hooks.failures).toHaveLength(1);
    const f = hooks.failures[0] as RunFailure;
    expect(f).toMatchObject({ code: 'STORAGE_FULL', step: 'configure', retryable: false, node: 'pve2', vmid: 100042 });
    expect(f.text.id).toContain('di node pve2 (VM 100042)');
    expect(f.text.id).toContain('Tindakan:');
    expect(f.text.en).toContain('on node pve2');
    expect(f.text.en).toMatch(/What to do: .*retry this run/);
    expect(store.rows.get('configure')?.error).toMatchObject({ code: 'STORAGE_FULL', retryable: false });
  });

  it('should mark the run failed when a transient error outlasts the last attempt', async () => {
    const { ctx, hooks, def, options } = setup({ stepRetries: 1 });
    ctx.script.set('start', [
      () => {
        throw lockedError();
      },
      () => {
        throw lockedError();
      },
    ]);
    await expect(executeRun(def, 'run-1', attempt(2, 3), options)).rejects.toBeInstanceOf(RunFailedError);
    expect(hooks.failures[0]).toMatchObject({ code: 'PVE_VM_LOCKED', retryable: true, step: 'start' });
  });

  it('should treat an unknown error as permanent (a bug is not retried forever)', async () => {
    const { ctx, hooks, def, options } = setup();
    ctx.script.set('place', [
      () => {
        throw new TypeError('boom');
      },
    ]);
    await expect(executeRun(def, 'run-1', attempt(0), options)).rejects.toBeInstanceOf(RunFailedError);
    expect(hooks.failures[0]).toMatchObject({ code: 'INTERNAL', retryable: false });
    expect(ctx.calls).toEqual(['reserve', 'place']);
  });

  it('should leave a finished run alone', async () => {
    const { store, ctx, hooks, def, options } = setup();
    store.run.status = 'succeeded';
    await expect(executeRun(def, 'run-1', attempt(0), options)).resolves.toEqual({ status: 'already-finished' });
    expect(ctx.calls).toEqual([]);
    expect(hooks.started).toEqual([]);
  });

  it('should refuse an unknown run as unrecoverable', async () => {
    const { def, options } = setup();
    await expect(executeRun(def, 'nope', attempt(0), options)).rejects.toBeInstanceOf(RunFailedError);
  });

  it('should release the run on shutdown instead of failing it', async () => {
    const stop = new AbortController();
    const { store, ctx, hooks, def, options } = setup({ stopping: stop.signal });
    ctx.script.set('clone', [
      () => {
        stop.abort();
        throw new Error('aborted mid-step');
      },
    ]);
    const released: number[] = [];
    const job: JobAttempt = {
      attemptsMade: 0,
      attempts: 1,
      release: async (ms) => {
        released.push(ms);
        throw Object.assign(new Error('released'), { name: 'DelayedError' });
      },
    };
    await expect(executeRun(def, 'run-1', job, options)).rejects.toMatchObject({ name: 'DelayedError' });
    expect(released).toHaveLength(1);
    expect(hooks.failures).toEqual([]);
    expect(store.rows.get('reserve')?.status).toBe('done');
    ctx.calls.length = 0;
    const resumed = setup();
    Object.assign(options, { stopping: resumed.options.stopping });
    await expect(executeRun(def, 'run-1', attempt(0), options)).resolves.toEqual({ status: 'succeeded' });
    expect(ctx.calls).toEqual(['clone', 'configure', 'start']);
  });

  it('should compensate every step that has a compensation, last first, then forget the memo', async () => {
    const undo: Undo = { log: [] };
    const { store, ctx, def, options } = setup({}, undo);
    ctx.script.set('configure', [
      () => {
        throw permanent('STORAGE_FULL', { id: 'Penyimpanan penuh.', en: 'Storage is full.' });
      },
    ]);
    await expect(executeRun(def, 'run-1', attempt(0), options)).rejects.toBeInstanceOf(RunFailedError);
    // start (index 4) never ran and is compensated too (a compensation reads the real state);
    // clone sees start's outcome, reserve sees clone's; outputs only of the finished steps.
    expect(undo.log).toEqual(['start:-:last', 'clone:2:true', 'reserve:0:true']);
    expect(store.run.status).toBe('failed');
    expect(store.rows.get('cleanup')).toMatchObject({ status: 'done' });
    // the notes of the undone steps, joined, in each language (plain notes read the same in both)
    for (const locale of ['id', 'en'] as const)
      expect(stepDetailIn(store.rows.get('cleanup')?.detail ?? '', locale)).toBe('undid start; undid clone; undid reserve');
    expect([...store.rows.values()].filter((r) => r.key !== 'cleanup').map((r) => r.status)).toEqual(KEYS.map(() => 'pending'));
  });

  it('should keep the memo when a compensation keeps its step, and tell later ones', async () => {
    const undo: Undo = { log: [], keep: 'clone' };
    const { store, ctx, def, options } = setup({}, undo);
    ctx.script.set('start', [
      () => {
        throw new TypeError('boom');
      },
    ]);
    await expect(executeRun(def, 'run-1', attempt(0), options)).rejects.toBeInstanceOf(RunFailedError);
    expect(undo.log).toEqual(['start:-:last', 'clone:2:true', 'reserve:0:false']);
    expect(store.rows.get('cleanup')?.status).toBe('done');
    expect(store.rows.get('clone')?.status).toBe('done');
  });

  it('should record a failed rollback, still run the other compensations, and be safe to run again', async () => {
    const undo: Undo = { log: [], fail: 'clone' };
    const { store, ctx, def, options } = setup({ stepRetries: 0 }, undo);
    ctx.script.set('start', [
      () => {
        throw new TypeError('boom');
      },
    ]);
    await expect(executeRun(def, 'run-1', attempt(0), options)).rejects.toBeInstanceOf(RunFailedError);
    expect(undo.log).toEqual(['start:-:last', 'clone:2:true', 'reserve:0:false']);
    expect(store.rows.get('cleanup')).toMatchObject({ status: 'failed', error: { code: 'INTERNAL' } });
    expect(store.rows.get('reserve')?.status).toBe('done');
    // A second execution finds the run failed: nothing runs, nothing is compensated twice.
    await expect(executeRun(def, 'run-1', attempt(1), options)).resolves.toEqual({ status: 'already-finished' });
    expect(undo.log).toHaveLength(3);
  });

  it('should observe every finished step and the finished run with their durations, by kind', async () => {
    const metrics = createWorkerMetrics();
    let clock = 1_000;
    const { store, ctx, def, options } = setup({ metrics, clock: () => clock, stepRetries: 0 });
    store.run.kind = 'resize';
    ctx.script.set('place', [
      () => {
        clock += 2_500;
        throw lockedError();
      },
    ]);
    await expect(executeRun(def, 'run-1', attempt(0), options)).rejects.toBeInstanceOf(PveApiError);
    await expect(executeRun(def, 'run-1', attempt(1), options)).resolves.toEqual({ status: 'succeeded' });
    const text = await metrics.render();
    expect(text).toMatch(/betang_run_step_duration_seconds_sum\{kind="resize",step="place",status="failed"\} 2\.5\n/);
    expect(text).toMatch(/betang_run_step_duration_seconds_count\{kind="resize",step="place",status="done"\} 1\n/);
    expect(text).toMatch(/betang_run_step_duration_seconds_count\{kind="resize",step="reserve",status="done"\} 1\n/);
    expect(text).toMatch(/betang_runs_finished_total\{kind="resize",outcome="succeeded"\} 1\n/);
    // A transient failure the queue retries is not a finished run; an already finished run is not counted again.
    await executeRun(def, 'run-1', attempt(2), options);
    expect(await metrics.render()).toMatch(/betang_runs_finished_total\{kind="resize",outcome="succeeded"\} 1\n/);
    expect(await metrics.render()).not.toMatch(/outcome="failed"/);
  });

  it('should count a final failure once and observe nothing for a step whose write failed', async () => {
    const metrics = createWorkerMetrics();
    const { store, ctx, def, options } = setup({ metrics });
    ctx.script.set('configure', [
      () => {
        throw permanent('STORAGE_FULL', { id: 'Penyimpanan penuh.', en: 'Storage is full.' });
      },
    ]);
    const stepDone = store.stepDone.bind(store);
    options.store = {
      ...store,
      stepDone: async (id, key, o) => (key === 'place' ? Promise.reject(new Error('db down')) : stepDone(id, key, o)),
    };
    await expect(executeRun(def, 'run-1', attempt(0, 1), options)).rejects.toBeInstanceOf(RunFailedError);
    const text = await metrics.render();
    expect(text).toMatch(/betang_runs_finished_total\{kind="provision",outcome="failed"\} 1\n/);
    expect(text).not.toMatch(/step="place",status="done"/);
    expect(text).toMatch(/step="reserve",status="done"/);
  });

  it('should run an interrupted rollback again when the job comes back, and only then', async () => {
    const undo: Undo = { log: [] };
    const { store, ctx, def, options } = setup({}, undo);
    ctx.script.set('configure', [
      () => {
        throw permanent('STORAGE_FULL', { id: 'Penyimpanan penuh.', en: 'Storage is full.' });
      },
    ]);
    // The worker "dies" while recording the end of the rollback: the run is failed, cleanup still running.
    const stepDone = store.stepDone.bind(store);
    options.store = {
      ...store,
      stepDone: async (id, key, o) => (key === 'cleanup' ? Promise.reject(new Error('connection lost')) : stepDone(id, key, o)),
    };
    await expect(executeRun(def, 'run-1', attempt(0), options)).rejects.toThrow('connection lost');
    expect(store.run.status).toBe('failed');
    expect(store.rows.get('cleanup')?.status).toBe('running');
    options.store = store;
    await expect(executeRun(def, 'run-1', attempt(1), options)).resolves.toEqual({ status: 'already-finished' });
    expect(undo.log).toEqual(['start:-:last', 'clone:2:true', 'reserve:0:true', 'start:-:last', 'clone:-:true', 'reserve:-:true']);
    expect(store.rows.get('cleanup')?.status).toBe('done');
    await executeRun(def, 'run-1', attempt(2), options);
    expect(undo.log).toHaveLength(6);
  });
});
