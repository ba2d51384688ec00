import { PveApiError } from '@betang/proxmox';
import { pino } from 'pino';
import { fakeRunStore } from '../testing/fake-run-store';
import { executeRun, RunFailedError, type HarnessOptions, type JobAttempt } from './execute-run';
import type { RunDefinition, RunFailure, StepDef } from './run-definition';
import { permanent } from './run-error';

type Ctx = { calls: string[]; script: Map<string, Array<() => never>> };

const KEYS = ['reserve', 'place', 'clone', 'configure', 'start'] as const;

function makeDef(ctx: Ctx, hooks: { failures: RunFailure[]; succeeded: number[]; started: number[] }): RunDefinition<Ctx> {
  const steps: StepDef<Ctx>[] = KEYS.map((key, i) => ({
    key,
    weight: 10,
    label: { id: `langkah ${key}`, en: `step ${key}` },
    async run({ result }) {
      ctx.calls.push(key);
      if (i > 0) expect(result<{ n: number }>(KEYS[i - 1] as string).n).toBe(i - 1);
      const next = ctx.script.get(key)?.shift();
      if (next) next();
      return { result: { n: i }, detail: `did ${key}` };
    },
  }));
  return {
    name: 'test',
    steps,
    load: async () => ctx,
    onStart: async () => void hooks.started.push(1),
    target: (results) => (results.has('clone') ? { node: 'pve2', vmid: 100042 } : {}),
    onSuccess: async () => void hooks.succeeded.push(1),
    onFinalFailure: async (_run, _ctx, failure) => void hooks.failures.push(failure),
  };
}

const lockedError = () =>
  new PveApiError({ status: 500, reason: 'VM is locked (clone)', message: 'VM is locked (clone)', method: 'POST', pathTemplate: '/nodes/{node}/qemu/{vmid}/config' }, true);

function setup(opts: Partial<HarnessOptions> = {}) {
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
  return { store, ctx, hooks, def: makeDef(ctx, hooks), options };
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
    expect(store.run).toMatchObject({ status: 'running', attempt: 1 });
  });

  it.each(KEYS.map((k, i) => [k, i] as const))('should resume after a crash in step %s without repeating finished steps', async (key, index) => {
    const { store, ctx, hooks, def, options } = setup({ stepRetries: 0 });
    ctx.script.set(key, [() => { throw lockedError(); }]);
    await expect(executeRun(def, 'run-1', attempt(0), options)).rejects.toBeInstanceOf(PveApiError);
    expect(store.rows.get(key)?.status).toBe('failed');
    expect(hooks.failures).toEqual([]);
    ctx.calls.length = 0;
    await expect(executeRun(def, 'run-1', attempt(1), options)).resolves.toEqual({ status: 'succeeded' });
    expect(ctx.calls).toEqual(KEYS.slice(index));
    expect(store.rows.get(key)?.attempt).toBe(2);
    expect(store.run.attempt).toBe(2);
  });

  it('should retry a transient error in-process before counting it as a failed attempt', async () => {
    const { ctx, hooks, def, options } = setup({ stepRetries: 2 });
    ctx.script.set('clone', [() => { throw lockedError(); }, () => { throw lockedError(); }]);
    await expect(executeRun(def, 'run-1', attempt(0), options)).resolves.toEqual({ status: 'succeeded' });
    expect(ctx.calls.filter((c) => c === 'clone')).toHaveLength(3);
    expect(hooks.failures).toEqual([]);
  });

  it('should fail at once on a permanent error with an actionable bilingual reason naming node and VM', async () => {
    const { store, ctx, hooks, def, options } = setup();
    ctx.script.set('configure', [() => { throw permanent('STORAGE_FULL', { id: 'Penyimpanan penuh.', en: 'Storage is full.' }); }]);
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
    ctx.script.set('start', [() => { throw lockedError(); }, () => { throw lockedError(); }]);
    await expect(executeRun(def, 'run-1', attempt(2, 3), options)).rejects.toBeInstanceOf(RunFailedError);
    expect(hooks.failures[0]).toMatchObject({ code: 'PVE_VM_LOCKED', retryable: true, step: 'start' });
  });

  it('should treat an unknown error as permanent (a bug is not retried forever)', async () => {
    const { ctx, hooks, def, options } = setup();
    ctx.script.set('place', [() => { throw new TypeError('boom'); }]);
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
    ctx.script.set('clone', [() => { stop.abort(); throw new Error('aborted mid-step'); }]);
    const released: number[] = [];
    const job: JobAttempt = { attemptsMade: 0, attempts: 1, release: async (ms) => { released.push(ms); throw Object.assign(new Error('released'), { name: 'DelayedError' }); } };
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
});
