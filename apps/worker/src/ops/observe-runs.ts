import { getRun, type Db } from '@betang/db';
import type { JobHandler, JobHandlers } from '@betang/queue';
import type { RunStore } from '../harness/run-store';
import type { WorkerMetrics } from './worker-metrics';

type Observer = Pick<WorkerMetrics, 'observeStep' | 'observeRun'>;

/** Far more runs than one worker has in flight (WORKER_CONCURRENCY ≤ 64). */
const MAX_TRACKED_RUNS = 1_000;

/**
 * Wraps a RunStore so every step that finishes in this process (done, skipped or failed) is
 * observed with its duration, labelled by run kind and step key. Guarantees: the wrapped store's
 * behaviour and errors are unchanged; the observation happens only after the store call
 * succeeded; the per-run state is bounded (the most recent runs) and a step's start time is
 * dropped when it finishes, so nothing grows without limit.
 */
export function observedRunStore(store: RunStore, metrics: Observer, now: () => number = performance.now.bind(performance)): RunStore {
  const kinds = new Map<string, string>();
  const started = new Map<string, number>();
  const finish = (runId: string, key: string, status: 'done' | 'skipped' | 'failed') => {
    const at = started.get(`${runId} ${key}`);
    started.delete(`${runId} ${key}`);
    if (at === undefined) return;
    metrics.observeStep(kinds.get(runId) ?? 'unknown', key, status, (now() - at) / 1000);
  };
  return {
    ...store,
    async begin(runId, attempt, deadlineAt) {
      const begun = await store.begin(runId, attempt, deadlineAt);
      if (begun && 'run' in begun) {
        kinds.delete(runId);
        kinds.set(runId, begun.run.kind);
        // The store never learns that a run ended: keep the most recent runs only (insertion order).
        while (kinds.size > MAX_TRACKED_RUNS) kinds.delete(kinds.keys().next().value as string);
      }
      return begun;
    },
    async stepRunning(runId, key, position) {
      await store.stepRunning(runId, key, position);
      started.set(`${runId} ${key}`, now());
    },
    async stepDone(runId, key, outcome) {
      await store.stepDone(runId, key, outcome);
      finish(runId, key, outcome.status);
    },
    async stepFailed(runId, key, error, detail) {
      await store.stepFailed(runId, key, error, detail);
      finish(runId, key, 'failed');
    },
  };
}

/**
 * Wraps the run-executing handlers (vm.provision, vm.action) so a run this attempt brought to a
 * final status is counted by kind and outcome, with its duration from first start to finish as
 * stored on the run row. Guarantees: the handler's result or error is passed through untouched;
 * a run left running (retry, release on shutdown) or already finished before this attempt is not
 * counted; a failure to read the row only loses the observation.
 */
export function observeRunHandlers(handlers: JobHandlers, db: Db, metrics: Observer): JobHandlers {
  const wrap = <N extends 'vm.provision' | 'vm.action'>(handler: JobHandler<N>): JobHandler<N> =>
    async (payload, job) => {
      let outcome: unknown;
      try {
        outcome = await handler(payload, job);
        if ((outcome as { status?: string } | undefined)?.status === 'succeeded') await record(payload.runId);
        return outcome;
      } catch (error) {
        if ((error as { name?: string }).name === 'UnrecoverableError') await record(payload.runId);
        throw error;
      }
    };
  const record = async (runId: string) => {
    try {
      const run = await getRun(db, runId);
      if (!run?.finishedAt || run.status === 'running' || run.status === 'queued') return;
      const startedAt = run.startedAt ?? run.createdAt;
      metrics.observeRun(run.kind, run.status, (new Date(run.finishedAt).getTime() - new Date(startedAt).getTime()) / 1000);
    } catch {
      // The run row is the source of truth; a lost observation is acceptable, a failed job is not.
    }
  };
  return { ...handlers, 'vm.provision': wrap(handlers['vm.provision']), 'vm.action': wrap(handlers['vm.action']) };
}
