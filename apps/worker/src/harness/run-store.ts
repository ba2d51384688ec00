import {
  ensureRunSteps,
  listRunSteps,
  lockRun,
  markRunRunning,
  markStepDone,
  markStepFailed,
  markStepRunning,
  setRunProgress,
  touchRunHeartbeat,
  type Db,
  type RunRow,
  type RunStepRow,
} from '@betang/db';

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
  progress(runId: string, percent: number, step: string | null): Promise<void>;
  heartbeat(runId: string): Promise<void>;
}

/** The PostgreSQL RunStore over packages/db's run repository. */
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
    progress: (runId, percent, step) => setRunProgress(db, runId, percent, step),
    heartbeat: (runId) => touchRunHeartbeat(db, runId),
  };
}
