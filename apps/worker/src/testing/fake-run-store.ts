import { canTransitionStep, type StepStatus } from '@betang/core';
import type { RunRow, RunStepRow, Tx } from '@betang/db';
import type { RunStore } from '../harness/run-store';

/** Handed to a definition's effects: the in-memory store has no database, and says so if touched. */
const NO_DATABASE = new Proxy(
  {},
  {
    get() {
      throw new Error('the in-memory run store has no database transaction');
    },
  },
) as Tx;

/**
 * In-memory RunStore for harness unit tests; harness/run-store.contract.int.test.ts proves it answers
 * like the PostgreSQL one.
 */
export function fakeRunStore(
  initial: Partial<RunRow> & { id: string },
): RunStore & { run: RunRow; rows: Map<string, RunStepRow>; progressLog: Array<[number, string | null]> } {
  const run: RunRow = {
    requestId: 'req',
    vmId: null,
    kind: 'provision',
    status: 'queued',
    attempt: 0,
    progress: 0,
    currentStep: null,
    errorCode: null,
    errorMessage: null,
    errorRetryable: null,
    requestedBy: null,
    params: {},
    deadlineAt: null,
    heartbeatAt: null,
    parkedUntil: null,
    createdAt: new Date(),
    startedAt: null,
    finishedAt: null,
    ...initial,
  };
  const rows = new Map<string, RunStepRow>();
  const progress: Array<[number, string | null]> = [];
  // Moves a step row as packages/db's checked writer does: only core's edges, only from `from`.
  const move = (key: string, from: readonly StepStatus[], to: StepStatus, onMismatch: 'throw' | 'skip') => {
    const r = rows.get(key);
    for (const f of from) if (!canTransitionStep(f, to)) throw new Error(`step: ${f} → ${to} is not a transition of the lifecycle`);
    if (r && from.includes(r.status)) return r;
    if (onMismatch === 'skip') return undefined;
    throw new Error(`step ${key} is ${r?.status ?? 'missing'}, not ${from.join('/')}`);
  };
  return {
    run,
    rows,
    progressLog: progress,
    async begin(id, attempt, deadlineAt) {
      if (id !== run.id) return undefined;
      if (run.status !== 'queued' && run.status !== 'running') return { finished: { ...run } };
      Object.assign(run, { status: 'running', attempt, deadlineAt: run.deadlineAt ?? deadlineAt, startedAt: run.startedAt ?? new Date() });
      return { run: { ...run } };
    },
    async steps() {
      return [...rows.values()].sort((a, b) => a.position - b.position).map((r) => ({ ...r }));
    },
    async plan(_id, keys) {
      keys.forEach((key, position) => {
        if (!rows.has(key))
          rows.set(key, {
            runId: run.id,
            key,
            position,
            status: 'pending',
            attempt: 0,
            startedAt: null,
            finishedAt: null,
            detail: null,
            result: null,
            error: null,
            memo: null,
            parkedUntil: null,
          });
      });
    },
    async stepRunning(_id, key, position) {
      const existing = rows.get(key);
      if (!existing) {
        rows.set(key, {
          runId: run.id,
          key,
          position,
          status: 'running',
          attempt: 1,
          startedAt: new Date(),
          finishedAt: null,
          detail: null,
          result: null,
          error: null,
          memo: null,
          parkedUntil: null,
        });
        return;
      }
      Object.assign(existing, {
        status: 'running',
        attempt: existing.attempt + 1,
        startedAt: new Date(),
        finishedAt: null,
        error: null,
        memo: existing.status === 'running' ? existing.memo : null,
        parkedUntil: null,
      });
    },
    async stepDone(_id, key, o) {
      Object.assign(move(key, ['running'], o.status, 'throw') ?? {}, {
        status: o.status,
        result: JSON.parse(JSON.stringify(o.result ?? null)),
        detail: o.detail ?? null,
        finishedAt: new Date(),
        error: null,
        memo: null,
        parkedUntil: null,
      });
    },
    async stepFailed(_id, key, error, detail) {
      const r = move(key, ['running'], 'failed', 'skip');
      if (!r) return;
      Object.assign(r, {
        status: 'failed',
        error: JSON.parse(JSON.stringify(error ?? null)),
        finishedAt: new Date(),
        ...(detail ? { detail } : {}),
      });
    },
    async reset(_id, keep, detail) {
      for (const r of rows.values())
        if (r.status !== 'pending' && !keep.includes(r.key)) Object.assign(r, { status: 'pending', result: null, detail });
    },
    async finish(_run, end, effects) {
      if (run.status !== 'running') {
        if (end.status === 'failed') return undefined;
        throw new Error(`run ${run.id} is ${run.status}, not running`);
      }
      Object.assign(run, {
        status: end.status,
        finishedAt: new Date(),
        parkedUntil: null,
        ...(end.status === 'succeeded' ? { progress: 100, currentStep: null } : { errorCode: end.failure.code }),
      });
      await effects(NO_DATABASE);
      return { ...run };
    },
    async progress(_id, percent, step) {
      progress.push([percent, step]);
      run.progress = Math.round(percent);
      run.currentStep = step;
    },
    async heartbeat() {
      run.heartbeatAt = new Date();
    },
    async park(_id, key, p) {
      const r = rows.get(key);
      if (!r || r.status !== 'running' || run.status !== 'running') return false;
      Object.assign(r, {
        memo: JSON.parse(JSON.stringify(p.memo ?? null)),
        parkedUntil: p.until,
        ...(p.detail !== undefined ? { detail: p.detail } : {}),
      });
      Object.assign(run, { parkedUntil: p.until, heartbeatAt: new Date() });
      return true;
    },
    async unpark(_id, key) {
      const r = rows.get(key);
      if (r) r.parkedUntil = null;
      Object.assign(run, { parkedUntil: null, heartbeatAt: new Date() });
    },
  };
}
