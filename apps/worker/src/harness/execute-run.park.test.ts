import { stepDetailIn } from '@betang/core';
import { pino } from 'pino';
import { fakeRunStore } from '../testing/fake-run-store';
import { executeRun, RunFailedError, type HarnessOptions, type JobAttempt } from './execute-run';
import { createStep, type RunDefinition, type RunFailure, type Step } from './run-definition';
import { permanent } from './run-error';

/** What the waiting step keeps between its polls. */
type WaitMemo = { deadlineAt: number; polls: number };

type Ctx = {
  calls: string[];
  /** Memo each call of the waiting step received. */
  memos: unknown[];
  /** Polls after which the awaited thing is there. */
  readyAfter: number;
  /** Milliseconds between two polls. */
  gapMs: number;
  budgetMs: number;
};

const T0 = Date.parse('2026-12-09T04:00:00Z');

function makeDef(ctx: Ctx, failures: RunFailure[]): RunDefinition<Ctx> {
  const plain = (key: string): Step<Ctx, { key: string }> =>
    createStep<Ctx, { key: string }>({
      key,
      weight: 10,
      label: { id: `langkah ${key}`, en: `step ${key}` },
      async run() {
        ctx.calls.push(key);
        return { result: { key } };
      },
    });
  const waiting = createStep<Ctx, { polls: number }>({
    key: 'wait',
    weight: 40,
    label: { id: 'menunggu', en: 'wait' },
    async run({ memo, park, progress }) {
      ctx.calls.push('wait');
      ctx.memos.push(memo);
      const now = currentTime();
      const m: WaitMemo = (memo as WaitMemo | undefined) ?? { deadlineAt: now + ctx.budgetMs, polls: 0 };
      const polls = m.polls + 1;
      if (polls >= ctx.readyAfter) return { result: { polls } };
      if (now >= m.deadlineAt) throw permanent('WAIT_TIMEOUT', { id: 'habis waktu', en: 'timed out' });
      await progress?.(0.5);
      return park(Math.min(m.deadlineAt, now + ctx.gapMs), { ...m, polls }, { id: 'menunggu tamu', en: 'waiting for the guest' });
    },
  });
  return {
    name: 'park-test',
    steps: [plain('before'), waiting, plain('after')],
    env: undefined,
    load: async () => ctx,
    onFailed: async (_tx, _run, _ctx, failure) => void failures.push(failure),
  };
}

let clockMs = T0;
const currentTime = () => clockMs;

/** A queue job as BullMQ hands it out: `park` records the time and throws BullMQ's DelayedError. */
function queueJob(attemptsMade = 0) {
  const parkedAt: number[] = [];
  const job: JobAttempt = {
    attemptsMade,
    attempts: 3,
    async park(until) {
      parkedAt.push(until);
      const err = new Error('parked');
      err.name = 'DelayedError';
      throw err;
    },
  };
  return { job, parkedAt };
}

function setup(ctxOverrides: Partial<Ctx> = {}, opts: Partial<HarnessOptions> = {}) {
  clockMs = T0;
  const store = fakeRunStore({ id: 'run-1' });
  const ctx: Ctx = { calls: [], memos: [], readyAfter: 3, gapMs: 10_000, budgetMs: 60_000, ...ctxOverrides };
  const failures: RunFailure[] = [];
  const slept: number[] = [];
  const options: HarnessOptions = {
    store,
    log: pino({ level: 'silent' }),
    stopping: new AbortController().signal,
    stepRetries: 2,
    stepRetryBaseMs: 1,
    deadlineMinutes: 60,
    now: () => new Date(clockMs),
    sleep: async (ms) => {
      slept.push(ms);
      clockMs += ms;
    },
    ...opts,
  };
  return { store, ctx, failures, slept, def: makeDef(ctx, failures), options };
}

const delayed = expect.objectContaining({ name: 'DelayedError' });

describe('executeRun: parked steps', () => {
  it('should park a waiting step off the worker with its memo and resume it once, with that memo, when due', async () => {
    const { store, ctx, def, options } = setup();
    const first = queueJob();
    await expect(executeRun(def, 'run-1', first.job, options)).rejects.toEqual(delayed);
    expect(first.parkedAt).toEqual([T0 + 10_000]);
    const row = store.rows.get('wait');
    expect(row).toMatchObject({ status: 'running', memo: { deadlineAt: T0 + 60_000, polls: 1 }, parkedUntil: new Date(T0 + 10_000) });
    expect(stepDetailIn(row?.detail ?? '', 'en')).toBe('waiting for the guest');
    expect(store.run).toMatchObject({ status: 'running', parkedUntil: new Date(T0 + 10_000), currentStep: 'wait' });
    expect(ctx.calls).toEqual(['before', 'wait']);
    const progressWhileParked = store.run.progress;
    expect(progressWhileParked).toBeGreaterThan(10);

    clockMs = T0 + 10_000;
    const second = queueJob();
    await expect(executeRun(def, 'run-1', second.job, options)).rejects.toEqual(delayed);
    // The step before is memoised; the waiting step went on from its memo, not from a new deadline.
    expect(ctx.calls).toEqual(['before', 'wait', 'wait']);
    expect(ctx.memos).toEqual([undefined, { deadlineAt: T0 + 60_000, polls: 1 }]);
    expect(store.run.progress).toBeGreaterThanOrEqual(progressWhileParked);

    clockMs = T0 + 20_000;
    await expect(executeRun(def, 'run-1', queueJob().job, options)).resolves.toEqual({ status: 'succeeded' });
    expect(ctx.calls).toEqual(['before', 'wait', 'wait', 'wait', 'after']);
    expect(store.rows.get('wait')).toMatchObject({ status: 'done', result: { polls: 3 }, memo: null, parkedUntil: null });
    // Parking is not a new attempt of the step, nor of the run.
    expect(store.rows.get('wait')?.attempt).toBe(1);
    expect(store.run).toMatchObject({ status: 'succeeded', attempt: 1, parkedUntil: null });
  });

  it('should park again without calling the step when a stale or duplicate job comes before the time', async () => {
    const { store, ctx, def, options } = setup();
    await expect(executeRun(def, 'run-1', queueJob().job, options)).rejects.toEqual(delayed);
    clockMs = T0 + 3_000;
    const early = queueJob();
    await expect(executeRun(def, 'run-1', early.job, options)).rejects.toEqual(delayed);
    expect(early.parkedAt).toEqual([T0 + 10_000]);
    expect(ctx.calls).toEqual(['before', 'wait']);
    expect(store.rows.get('wait')).toMatchObject({ parkedUntil: new Date(T0 + 10_000), memo: { polls: 1 } });
  });

  it('should leave a run alone when a duplicate job comes after it finished', async () => {
    const { ctx, def, options } = setup({ readyAfter: 2 });
    await expect(executeRun(def, 'run-1', queueJob().job, options)).rejects.toEqual(delayed);
    clockMs = T0 + 10_000;
    await expect(executeRun(def, 'run-1', queueJob().job, options)).resolves.toEqual({ status: 'succeeded' });
    const calls = [...ctx.calls];
    await expect(executeRun(def, 'run-1', queueJob().job, options)).resolves.toEqual({ status: 'already-finished' });
    expect(ctx.calls).toEqual(calls);
  });

  it('should fail the run for good when the memo says the wait is past its deadline', async () => {
    const { store, ctx, failures, def, options } = setup({ readyAfter: 100, gapMs: 25_000, budgetMs: 60_000 });
    let executions = 0;
    for (;;) {
      executions++;
      const outcome = await executeRun(def, 'run-1', queueJob().job, options).catch((e: unknown) => e);
      if (outcome instanceof RunFailedError) break;
      expect(outcome).toEqual(delayed);
      clockMs = store.run.parkedUntil ? store.run.parkedUntil.getTime() : clockMs;
      if (executions > 10) throw new Error('never failed');
    }
    // Parks at +25 s, +50 s, then at the deadline (+60 s), where the last poll fails: the budget is
    // counted from the first poll, across the parks.
    expect(executions).toBe(4);
    expect(clockMs).toBe(T0 + 60_000);
    expect(failures.map((f) => [f.code, f.step])).toEqual([['WAIT_TIMEOUT', 'wait']]);
    expect(store.run.status).toBe('failed');
    expect(ctx.calls.filter((c) => c === 'after')).toEqual([]);
  });

  it('should wait in-process, holding the slot, when the gap is too short to be worth a park', async () => {
    const { ctx, slept, def, options } = setup({ gapMs: 500 });
    const job = queueJob();
    await expect(executeRun(def, 'run-1', job.job, options)).resolves.toEqual({ status: 'succeeded' });
    expect(job.parkedAt).toEqual([]);
    expect(slept).toEqual([500, 500]);
    expect(ctx.memos).toEqual([undefined, { deadlineAt: T0 + 60_000, polls: 1 }, { deadlineAt: T0 + 60_000, polls: 2 }]);
  });

  it('should wait in-process when the queue cannot park the job (a run driven without a queue)', async () => {
    const { ctx, slept, def, options } = setup();
    await expect(executeRun(def, 'run-1', { attemptsMade: 0, attempts: 3 }, options)).resolves.toEqual({ status: 'succeeded' });
    expect(slept).toEqual([10_000, 10_000]);
    expect(ctx.calls).toEqual(['before', 'wait', 'wait', 'wait', 'after']);
  });

  it('should park with the memo, not release and forget it, when the worker stops during an in-process wait', async () => {
    const stop = new AbortController();
    const { store, ctx, def, options } = setup(
      { gapMs: 500 },
      {
        stopping: stop.signal,
        sleep: async () => {
          stop.abort();
        },
      },
    );
    const job = queueJob();
    await expect(executeRun(def, 'run-1', job.job, options)).rejects.toEqual(delayed);
    expect(job.parkedAt).toEqual([T0 + 500]);
    expect(store.rows.get('wait')).toMatchObject({ status: 'running', memo: { polls: 1 } });
    expect(ctx.calls).toEqual(['before', 'wait']);
  });

  it('should release the run, not spin, when the worker stops during a wait and there is no queue to park in', async () => {
    const stop = new AbortController();
    const { store, ctx, def, options } = setup({}, { stopping: stop.signal, sleep: async () => stop.abort() });
    await expect(executeRun(def, 'run-1', { attemptsMade: 0, attempts: 3 }, options)).resolves.toEqual({ status: 'released' });
    expect(ctx.calls).toEqual(['before', 'wait']);
    expect(store.rows.get('wait')).toMatchObject({ status: 'failed', error: { code: 'WORKER_STOPPING' } });
  });

  it('should neither fail the run nor lose the memo when the queue refuses to take the parked job back', async () => {
    const { store, failures, def, options } = setup();
    const refusing: JobAttempt = {
      attemptsMade: 0,
      attempts: 3,
      park: async () => {
        throw new Error('Missing lock for job run-1. moveToDelayed');
      },
    };
    await expect(executeRun(def, 'run-1', refusing, options)).rejects.toThrow(/did not take the parked job back/);
    expect(failures).toEqual([]);
    expect(store.run.status).toBe('running');
    expect(store.rows.get('wait')).toMatchObject({ status: 'running', memo: { polls: 1 }, parkedUntil: new Date(T0 + 10_000) });
    // BullMQ's retry of the job resumes the wait there.
    clockMs = T0 + 10_000;
    await expect(executeRun(def, 'run-1', queueJob(1).job, options)).rejects.toEqual(delayed);
    expect(store.rows.get('wait')?.memo).toMatchObject({ polls: 2 });
  });

  it('should not park a run that is no longer running (an operator or the reaper ended it)', async () => {
    const { store, def, options } = setup();
    const parkStore = { ...store, park: async () => false };
    const job = queueJob();
    await expect(executeRun(def, 'run-1', job.job, { ...options, store: parkStore })).resolves.toEqual({ status: 'already-finished' });
    expect(job.parkedAt).toEqual([]);
  });

  it('should let a step cut off after it resumed go on with its memo (a crash is not a fresh start)', async () => {
    const { store, ctx, def, options } = setup();
    await expect(executeRun(def, 'run-1', queueJob().job, options)).rejects.toEqual(delayed);
    // The worker died right after the pick-up: parked_until cleared, the step still running.
    await store.unpark('run-1', 'wait');
    clockMs = T0 + 10_000;
    await expect(executeRun(def, 'run-1', queueJob(1).job, options)).rejects.toEqual(delayed);
    expect(ctx.memos.at(-1)).toEqual({ deadlineAt: T0 + 60_000, polls: 1 });
  });
});
