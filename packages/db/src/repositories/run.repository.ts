import { sql } from 'kysely';
import type { RunKind, RunStatus, StepStatus } from '@betang/core';
import type { Executor, Tx } from '../database';
import { transitionRun, transitionStep, transitionStepsOfRun, type OnMismatch } from './lifecycle.repository';

export type { RunKind, RunStatus, StepStatus };

export type RunRow = {
  id: string;
  requestId: string;
  vmId: string | null;
  kind: RunKind;
  status: RunStatus;
  attempt: number;
  progress: number;
  currentStep: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  errorRetryable: boolean | null;
  requestedBy: string | null;
  params: unknown;
  deadlineAt: Date | null;
  heartbeatAt: Date | null;
  /** While a step waits off the worker (parked): when the run's job is due again. */
  parkedUntil: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
};

export type RunStepRow = {
  runId: string;
  key: string;
  position: number;
  status: StepStatus;
  attempt: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  detail: string | null;
  result: unknown;
  error: unknown;
  /** What a parked (or resumed) step keeps between its polls; cleared when the step starts afresh or ends. */
  memo: unknown;
  /** Set while the step is parked: when its run is due again. */
  parkedUntil: Date | null;
};

const RUN_COLUMNS = [
  'id',
  'requestId',
  'vmId',
  'kind',
  'status',
  'attempt',
  'progress',
  'currentStep',
  'errorCode',
  'errorMessage',
  'errorRetryable',
  'requestedBy',
  'params',
  'deadlineAt',
  'heartbeatAt',
  'parkedUntil',
  'createdAt',
  'startedAt',
  'finishedAt',
] as const;

/**
 * Inserts a run, `queued` unless told otherwise. The API does this on approval; day-2 actions and
 * tests too. A resize that needs approval starts as `awaiting_approval` (a pending change).
 */
export async function insertRun(
  db: Executor,
  run: {
    requestId: string;
    kind: RunKind;
    vmId?: string | null;
    requestedBy?: string | null;
    params?: unknown;
    status?: 'queued' | 'awaiting_approval';
  },
): Promise<RunRow> {
  return db
    .insertInto('provisioningRuns')
    .values({
      requestId: run.requestId,
      kind: run.kind,
      status: run.status ?? 'queued',
      vmId: run.vmId ?? null,
      requestedBy: run.requestedBy ?? null,
      params: JSON.stringify(run.params ?? {}),
    })
    .returning(RUN_COLUMNS)
    .executeTakeFirstOrThrow();
}

/** The request's pending change (its run awaiting approval), locked for this transaction, or undefined. */
export async function lockPendingChange(tx: Tx, requestId: string): Promise<RunRow | undefined> {
  return tx
    .selectFrom('provisioningRuns')
    .select(RUN_COLUMNS)
    .where('requestId', '=', requestId)
    .where('status', '=', 'awaiting_approval')
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Ids of the requests that have a pending change, oldest change first. Not locked: callers lock
 * each request and then its change (lockPendingChange), the order every decision uses.
 */
export async function listRequestsWithPendingChange(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('provisioningRuns')
    .select('requestId')
    .where('status', '=', 'awaiting_approval')
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.requestId);
}

/** One run by id, or undefined. */
export async function getRun(db: Executor, id: string): Promise<RunRow | undefined> {
  return db.selectFrom('provisioningRuns').select(RUN_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** The run row locked for this transaction (FOR UPDATE), so two workers never start it at once. */
export async function lockRun(tx: Tx, id: string): Promise<RunRow | undefined> {
  return tx.selectFrom('provisioningRuns').select(RUN_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * Marks the run running for this attempt (clears a previous error, keeps started_at and the
 * deadline once set) through transitionRun: only a queued run or a running one (a new attempt)
 * moves, anything else throws. Safe to repeat: it only ever writes the attempt's own values.
 */
export async function markRunRunning(tx: Tx, id: string, attempt: number, deadlineAt: Date): Promise<void> {
  await transitionRun(tx, id, ['queued', 'running'], 'running', {
    fields: {
      attempt,
      startedAt: sql<Date>`coalesce(started_at, now())`,
      deadlineAt: sql<Date>`coalesce(deadline_at, ${deadlineAt})`,
      heartbeatAt: sql<Date>`now()`,
      finishedAt: null,
      errorCode: null,
      errorMessage: null,
      errorRetryable: null,
    },
  });
}

/** Writes progress (0..100), the current step and a heartbeat. */
export async function setRunProgress(db: Executor, id: string, progress: number, currentStep: string | null): Promise<void> {
  await db
    .updateTable('provisioningRuns')
    .set({ progress: Math.max(0, Math.min(100, Math.round(progress))), currentStep, heartbeatAt: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

/** Touches the heartbeat of a running run (the reaper leaves runs with a fresh heartbeat alone). */
export async function touchRunHeartbeat(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('provisioningRuns')
    .set({ heartbeatAt: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .execute();
}

/** Links the run to its VM row. */
export async function setRunVm(db: Executor, id: string, vmId: string): Promise<void> {
  await db.updateTable('provisioningRuns').set({ vmId }).where('id', '=', id).execute();
}

/**
 * Final state of a running run, through transitionRun: succeeded (progress 100) or failed with
 * code, message and retryability. A run not running throws, or with `skip` returns false and
 * changes nothing (a reaper and a resumed worker never both finish it).
 */
export async function finishRun(
  db: Executor,
  id: string,
  outcome: { status: 'succeeded' } | { status: 'failed'; errorCode: string; errorMessage: string; retryable: boolean },
  options: { onMismatch?: OnMismatch } = {},
): Promise<boolean> {
  return transitionRun(db, id, ['running'], outcome.status, {
    ...options,
    fields:
      outcome.status === 'succeeded'
        ? {
            progress: 100,
            currentStep: null,
            finishedAt: sql<Date>`now()`,
            errorCode: null,
            errorMessage: null,
            errorRetryable: null,
            parkedUntil: null,
          }
        : {
            finishedAt: sql<Date>`now()`,
            parkedUntil: null,
            errorCode: outcome.errorCode,
            errorMessage: outcome.errorMessage.slice(0, 4000),
            errorRetryable: outcome.retryable,
          },
  });
}

/** Steps of a run in order. */
export async function listRunSteps(db: Executor, runId: string): Promise<RunStepRow[]> {
  return db.selectFrom('runSteps').selectAll().where('runId', '=', runId).orderBy('position').execute();
}

/** Creates the pending step rows of a run (existing rows untouched), so the UI shows the plan at once. */
export async function ensureRunSteps(db: Executor, runId: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db
    .insertInto('runSteps')
    .values(keys.map((key, position) => ({ runId, key, position, status: 'pending' })))
    .onConflict((oc) => oc.columns(['runId', 'key']).doNothing())
    .execute();
}

/**
 * Marks a step running for an attempt (increments its attempt counter) through transitionStep;
 * a step the plan did not list yet is inserted running. Every state may move to running (a step
 * runs again on a later attempt), so this never refuses.
 */
export async function markStepRunning(db: Executor, runId: string, key: string, position: number): Promise<void> {
  const fields = {
    position,
    attempt: sql<number>`attempt + 1`,
    startedAt: sql<Date>`now()`,
    finishedAt: null,
    error: null,
    // A step cut off while it was running (a crash after it resumed) keeps its memo: its wait goes
    // on with the same deadline. A step that failed, or ran before, starts afresh.
    memo: sql<string | null>`case when status = 'running' then memo else null end`,
    parkedUntil: null,
  };
  if (await transitionStep(db, runId, key, ['pending', 'running', 'done', 'failed', 'skipped'], 'running', { fields, onMismatch: 'skip' }))
    return;
  await db
    .insertInto('runSteps')
    .values({ runId, key, position, status: 'running', attempt: 1, startedAt: sql<Date>`now()` })
    .onConflict((oc) => oc.columns(['runId', 'key']).doNothing())
    .execute();
}

/**
 * Memoises a finished step (running → done or skipped): its result is what a retry gets back
 * instead of running it again. A step that is not running throws (the harness marks it running first).
 */
export async function markStepDone(
  db: Executor,
  runId: string,
  key: string,
  outcome: { status?: 'done' | 'skipped'; result: unknown; detail?: string | null },
): Promise<void> {
  await transitionStep(db, runId, key, ['running'], outcome.status ?? 'done', {
    fields: {
      result: JSON.stringify(outcome.result ?? null),
      detail: outcome.detail ?? null,
      finishedAt: sql<Date>`now()`,
      error: null,
      memo: null,
      parkedUntil: null,
    },
  });
}

/**
 * Parks a running step until `until`: stores its memo (what it needs to go on) and the time on
 * the step and on the run, in one transaction. The step stays `running` — for the live view and
 * the reaper it is still at work. Returns false, writing nothing, when the step or the run is no
 * longer running (a reaper or an operator ended it). Safe to repeat: it writes the same values.
 */
export async function parkRunStep(
  tx: Tx,
  runId: string,
  key: string,
  park: { until: Date; memo: unknown; detail?: string | null },
): Promise<boolean> {
  const step = await tx
    .updateTable('runSteps')
    .set({
      memo: JSON.stringify(park.memo ?? null),
      parkedUntil: park.until,
      ...(park.detail !== undefined ? { detail: park.detail } : {}),
    })
    .where('runId', '=', runId)
    .where('key', '=', key)
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (Number(step.numUpdatedRows) === 0) return false;
  const run = await tx
    .updateTable('provisioningRuns')
    .set({ parkedUntil: park.until, heartbeatAt: sql<Date>`now()` })
    .where('id', '=', runId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(run.numUpdatedRows) > 0;
}

/** A parked step's run is back on a worker: clears `parked_until` on the step and the run (the memo stays). Safe to repeat. */
export async function unparkRunStep(db: Executor, runId: string, key: string): Promise<void> {
  await db.updateTable('runSteps').set({ parkedUntil: null }).where('runId', '=', runId).where('key', '=', key).execute();
  await db
    .updateTable('provisioningRuns')
    .set({ parkedUntil: null, heartbeatAt: sql<Date>`now()` })
    .where('id', '=', runId)
    .execute();
}

/**
 * Records a running step's failure (kept for history; the step runs again on the next attempt).
 * A step not running is left as it is: the failure of a step is recorded once, by the attempt
 * that ran it, and a second record must not overwrite the first.
 */
export async function markStepFailed(db: Executor, runId: string, key: string, error: unknown, detail?: string): Promise<void> {
  await transitionStep(db, runId, key, ['running'], 'failed', {
    fields: { error: JSON.stringify(error), finishedAt: sql<Date>`now()`, ...(detail ? { detail } : {}) },
    onMismatch: 'skip',
  });
}

/** Queued or running runs past their deadline (for the reconciler's findings). */
export async function listRunsPastDeadline(db: Executor, now: Date): Promise<RunRow[]> {
  return db
    .selectFrom('provisioningRuns')
    .select(RUN_COLUMNS)
    .where('status', 'in', ['queued', 'running'])
    .where('deadlineAt', '<', now)
    .orderBy('createdAt')
    .limit(500)
    .execute();
}

/**
 * Runs still `queued` that were due before `before`: queued since then, or — a change scheduled
 * for a maintenance window (`params.applyAt`) — whose window started before then. A scheduled
 * change waits in the queue by design and is not stuck until its start has passed. Read-only.
 */
export async function listRunsQueuedSince(db: Executor, before: Date): Promise<RunRow[]> {
  return db
    .selectFrom('provisioningRuns')
    .select(RUN_COLUMNS)
    .where('status', '=', 'queued')
    .where(sql<Date>`greatest(created_at, coalesce((params->>'applyAt')::timestamptz, created_at))`, '<', before)
    .orderBy('createdAt')
    .limit(500)
    .execute();
}

/**
 * Forgets the memo of a run's started steps (→ pending, result cleared) except `keep`: used after
 * a rollback undid their effects, so the memo no longer claims them done. Safe to repeat.
 */
export async function resetRunSteps(db: Executor, runId: string, keep: readonly string[], detail: string): Promise<void> {
  await transitionStepsOfRun(db, runId, ['running', 'done', 'failed', 'skipped'], 'pending', {
    fields: { result: null, detail },
    exceptKeys: keep,
  });
}

/** The latest provision (or adopt) run of a request that succeeded (its marker is on the VM), or undefined. */
export async function lastSucceededProvisionRun(db: Executor, requestId: string): Promise<RunRow | undefined> {
  return (
    db
      .selectFrom('provisioningRuns')
      .select(RUN_COLUMNS)
      .where('requestId', '=', requestId)
      // An adopted VM carries the marker of the run that adopted it, as a built one carries its provision run's.
      .where('kind', 'in', ['provision', 'adopt'])
      .where('status', '=', 'succeeded')
      .orderBy('finishedAt', 'desc')
      .limit(1)
      .executeTakeFirst()
  );
}
