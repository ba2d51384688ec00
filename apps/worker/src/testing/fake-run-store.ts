import type { RunRow, RunStepRow } from '@betang/db';
import type { RunStore } from '../harness/run-store';

/**
 * In-memory RunStore for harness unit tests; harness/run-store.contract.int.test.ts proves it answers
 * like the PostgreSQL one.
 */
export function fakeRunStore(initial: Partial<RunRow> & { id: string }): RunStore & { run: RunRow; rows: Map<string, RunStepRow>; progressLog: Array<[number, string | null]> } {
  const run: RunRow = {
    requestId: 'req', vmId: null, kind: 'provision', status: 'queued', attempt: 0, progress: 0, currentStep: null, errorCode: null, errorMessage: null,
    errorRetryable: null, requestedBy: null, params: {}, deadlineAt: null, heartbeatAt: null, createdAt: new Date(), startedAt: null, finishedAt: null,
    ...initial,
  };
  const rows = new Map<string, RunStepRow>();
  const progress: Array<[number, string | null]> = [];
  const row = (key: string) => {
    const r = rows.get(key);
    if (!r) throw new Error(`no step row ${key}`);
    return r;
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
        if (!rows.has(key)) rows.set(key, { runId: run.id, key, position, status: 'pending', attempt: 0, startedAt: null, finishedAt: null, detail: null, result: null, error: null });
      });
    },
    async stepRunning(_id, key, position) {
      const existing = rows.get(key);
      if (!existing) {
        rows.set(key, { runId: run.id, key, position, status: 'running', attempt: 1, startedAt: new Date(), finishedAt: null, detail: null, result: null, error: null });
        return;
      }
      Object.assign(existing, { status: 'running', attempt: existing.attempt + 1, startedAt: new Date(), finishedAt: null, error: null });
    },
    async stepDone(_id, key, o) {
      Object.assign(row(key), { status: o.status, result: JSON.parse(JSON.stringify(o.result ?? null)), detail: o.detail ?? null, finishedAt: new Date(), error: null });
    },
    async stepFailed(_id, key, error, detail) {
      Object.assign(row(key), { status: 'failed', error: JSON.parse(JSON.stringify(error ?? null)), finishedAt: new Date(), ...(detail ? { detail } : {}) });
    },
    async progress(_id, percent, step) {
      progress.push([percent, step]);
      run.progress = Math.round(percent);
      run.currentStep = step;
    },
    async heartbeat() {
      run.heartbeatAt = new Date();
    },
  };
}
