import {
  appendAudit,
  ensureRunSteps,
  finishRun,
  getRun,
  listRunSteps,
  lockRun,
  markRunRunning,
  markStepDone,
  markStepFailed,
  markStepRunning,
  parkRunStep,
  resetRunSteps,
  unparkRunStep,
  setRunProgress,
  touchRunHeartbeat,
  type Db,
  type RunRow,
  type RunStepRow,
  type Tx,
} from '@betang/db';
import { noticeRunFailed } from './failure-notice';
import type { RunFacts, RunFailure } from './run-definition';
import { joinText } from './run-error';

/** How a run ends: succeeded, or failed with its reason. */
type RunEnd = { status: 'succeeded' } | { status: 'failed'; failure: RunFailure };

/** Persistence the harness needs; PostgreSQL in production, an in-memory fake in unit tests. */
export interface RunStore {
  /**
   * Starts an attempt: under a row lock, a queued/running run becomes running with this attempt.
   * Returns `finished` for a run already succeeded/failed/cancelled and undefined for an unknown id.
   */
  begin(runId: string, attempt: number, deadlineAt: Date): Promise<{ run: RunRow } | { finished: RunRow } | undefined>;
  steps(runId: string): Promise<RunStepRow[]>;
  plan(runId: string, keys: readonly string[]): Promise<void>;
  stepRunning(runId: string, key: string, position: number): Promise<void>;
  stepDone(runId: string, key: string, outcome: { status: 'done' | 'skipped'; result: unknown; detail?: string | null }): Promise<void>;
  stepFailed(runId: string, key: string, error: unknown, detail?: string): Promise<void>;
  /** Forgets the memo of every started step except `keep` (after a rollback undid them). */
  reset(runId: string, keep: readonly string[], detail: string): Promise<void>;
  progress(runId: string, percent: number, step: string | null): Promise<void>;
  heartbeat(runId: string): Promise<void>;
  /**
   * Parks the running step `key` until `until` with its memo (the step stays running). Returns
   * false, writing nothing, when the run or the step is no longer running.
   */
  park(runId: string, key: string, park: { until: Date; memo: unknown; detail?: string | null }): Promise<boolean>;
  /** The parked step's run is back on a worker: clears the parking time (the memo stays). */
  unpark(runId: string, key: string): Promise<void>;
  /**
   * Ends a running run in one transaction with the definition's `effects`, their audit entry and,
   * for a failure, the e-mail to operators (once per run and attempt). Returns the finished row,
   * or undefined when the run was no longer running (another worker or the reaper finished it) —
   * then nothing is written. A success of a run not running throws.
   */
  finish(run: RunRow, end: RunEnd, effects: (tx: Tx) => Promise<RunFacts | void>): Promise<RunRow | undefined>;
}

/** The PostgreSQL RunStore over packages/db's run repository (every status write goes through its checked writers). */
export function pgRunStore(db: Db): RunStore {
  return {
    begin: (runId, attempt, deadlineAt) =>
      db.transaction().execute(async (tx) => {
        const run = await lockRun(tx, runId);
        if (!run) return undefined;
        if (run.status !== 'queued' && run.status !== 'running') return { finished: run };
        await markRunRunning(tx, runId, attempt, deadlineAt);
        return { run: { ...run, status: 'running', attempt } };
      }),
    steps: (runId) => listRunSteps(db, runId),
    plan: (runId, keys) => ensureRunSteps(db, runId, keys),
    stepRunning: (runId, key, position) => markStepRunning(db, runId, key, position),
    stepDone: (runId, key, outcome) => markStepDone(db, runId, key, outcome),
    stepFailed: (runId, key, error, detail) => markStepFailed(db, runId, key, error, detail),
    reset: (runId, keep, detail) => resetRunSteps(db, runId, keep, detail),
    progress: (runId, percent, step) => setRunProgress(db, runId, percent, step),
    heartbeat: (runId) => touchRunHeartbeat(db, runId),
    park: (runId, key, park) => db.transaction().execute((tx) => parkRunStep(tx, runId, key, park)),
    unpark: (runId, key) => unparkRunStep(db, runId, key),
    finish: (run, end, effects) =>
      db.transaction().execute(async (tx) => {
        const outcome =
          end.status === 'succeeded'
            ? ({ status: 'succeeded' } as const)
            : ({
                status: 'failed',
                errorCode: end.failure.code,
                errorMessage: joinText(end.failure.text),
                retryable: end.failure.retryable,
              } as const);
        if (!(await finishRun(tx, run.id, outcome, { onMismatch: end.status === 'failed' ? 'skip' : 'throw' }))) return undefined;
        const facts = (await effects(tx)) ?? {};
        if (facts.audit) await appendAudit(tx, facts.audit);
        if (end.status === 'failed') {
          await noticeRunFailed(tx, run, facts.subject ?? '?', end.failure);
        }
        return getRun(tx, run.id);
      }),
  };
}
