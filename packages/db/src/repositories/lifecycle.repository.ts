import {
  AppError,
  ErrorCode,
  REQUEST_TRANSITIONS,
  RUN_TRANSITIONS,
  STEP_TRANSITIONS,
  VM_TRANSITIONS,
  type RequestStatus,
  type RunStatus,
  type StepStatus,
  type VmState,
} from '@betang/core';
import type { RawBuilder } from 'kysely';
import type { Executor } from '../database';

/** The entities whose status moves only through this module. */
type LifecycleEntity = 'request' | 'run' | 'vm' | 'step';

/**
 * What to do when the row is not in one of the `from` states: `throw` (the caller holds the row
 * lock and has checked the state, so a mismatch is a bug or a lost race worth a 409) or `skip`
 * (a step that runs again after a crash must change nothing the second time).
 */
export type OnMismatch = 'throw' | 'skip';

/** A move core's lifecycle tables do not allow: a programming error, never a user's. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly entity: LifecycleEntity,
    readonly from: string,
    readonly to: string,
  ) {
    super(`${entity}: ${from} → ${to} is not a transition of the lifecycle`);
    this.name = 'IllegalTransitionError';
  }
}

/** The row was not in an allowed from-state (or does not exist): answered as 409 INVALID_STATE. */
export class TransitionRefusedError extends AppError {
  constructor(
    readonly entity: LifecycleEntity,
    readonly id: string,
    readonly from: readonly string[],
    readonly to: string,
    readonly actual: string | undefined,
  ) {
    super(
      ErrorCode.InvalidState,
      {
        id: `Status berubah menjadi ${actual ?? 'tidak ada'} sementara tindakan ini berjalan; perpindahan ke ${to} ditolak. Muat ulang lalu coba lagi.`,
        en: `The status changed to ${actual ?? 'none'} while this action ran; moving to ${to} was refused. Reload and try again.`,
      },
      { entity, id, from, to, actual: actual ?? null },
    );
    this.name = 'TransitionRefusedError';
  }
}

function assertAllowed<S extends string>(
  entity: LifecycleEntity,
  table: Readonly<Record<S, readonly S[]>>,
  from: readonly S[],
  to: S,
): void {
  if (from.length === 0) throw new IllegalTransitionError(entity, '(none)', to);
  for (const f of from) if (!table[f].includes(to)) throw new IllegalTransitionError(entity, f, to);
}

async function settle(
  moved: { numUpdatedRows: bigint },
  onMismatch: OnMismatch,
  refuse: () => Promise<TransitionRefusedError>,
): Promise<boolean> {
  if (Number(moved.numUpdatedRows) > 0) return true;
  if (onMismatch === 'skip') return false;
  throw await refuse();
}

/**
 * Moves a VPS request from one of `from` to `to` — the one writer of vps_requests.status. Every
 * pair must be an edge of core's REQUEST_TRANSITIONS (else IllegalTransitionError, before any
 * write). The update is conditional on the current status, so it never overwrites a state it did
 * not expect: a row in another state throws TransitionRefusedError, or with `skip` returns false
 * and changes nothing (safe to run twice). `reason` sets status_reason; undefined leaves it.
 */
export async function transitionRequest(
  db: Executor,
  id: string,
  from: readonly RequestStatus[],
  to: RequestStatus,
  options: { reason?: string | null; onMismatch?: OnMismatch } = {},
): Promise<boolean> {
  assertAllowed('request', REQUEST_TRANSITIONS, from, to);
  const reason = options.reason === undefined ? {} : { statusReason: options.reason === null ? null : options.reason.slice(0, 4000) };
  const moved = await db
    .updateTable('vpsRequests')
    .set({ status: to, ...reason })
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return settle(moved, options.onMismatch ?? 'throw', async () => {
    const row = await db.selectFrom('vpsRequests').select('status').where('id', '=', id).executeTakeFirst();
    return new TransitionRefusedError('request', id, from, to, row?.status);
  });
}

/** A column value, or an SQL expression computing it (e.g. `coalesce(started_at, now())`). */
type Value<T> = T | RawBuilder<T>;

/** Columns a run's move may write along with its status. */
type RunTransitionFields = {
  attempt?: number;
  progress?: number;
  currentStep?: string | null;
  startedAt?: Value<Date>;
  deadlineAt?: Value<Date>;
  heartbeatAt?: Value<Date>;
  finishedAt?: Value<Date> | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  errorRetryable?: boolean | null;
  parkedUntil?: Date | null;
};

/**
 * Moves a provisioning run from one of `from` to `to`, checked against core's RUN_TRANSITIONS and
 * conditional on the current status exactly as transitionRequest (throws or, with `skip`,
 * returns false and changes nothing).
 */
export async function transitionRun(
  db: Executor,
  id: string,
  from: readonly RunStatus[],
  to: RunStatus,
  options: { fields?: RunTransitionFields; onMismatch?: OnMismatch } = {},
): Promise<boolean> {
  assertAllowed('run', RUN_TRANSITIONS, from, to);
  const moved = await db
    .updateTable('provisioningRuns')
    .set({ ...options.fields, status: to })
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return settle(moved, options.onMismatch ?? 'throw', async () => {
    const row = await db.selectFrom('provisioningRuns').select('status').where('id', '=', id).executeTakeFirst();
    return new TransitionRefusedError('run', id, from, to, row?.status);
  });
}

/** Columns a VM row's move may write along with its state (where it lives, what it was re-armed with). */
type VmTransitionFields = {
  /** When a retained VM is destroyed (set on `→ retained`, cleared on a restore). */
  retainedUntil?: Date | null;
  vmid?: number | null;
  node?: string | null;
  name?: string;
  cores?: number;
  memoryMiB?: number;
  diskGiB?: number;
  macAddress?: string | null;
  hostKey?: string | null;
};

/**
 * Moves a VM row from one of `from` to `to`, checked against core's VM_TRANSITIONS and conditional
 * on the current state exactly as transitionRequest.
 */
export async function transitionVm(
  db: Executor,
  id: string,
  from: readonly VmState[],
  to: VmState,
  options: { fields?: VmTransitionFields; onMismatch?: OnMismatch } = {},
): Promise<boolean> {
  assertAllowed('vm', VM_TRANSITIONS, from, to);
  const moved = await db
    .updateTable('vms')
    .set({ ...options.fields, state: to })
    .where('id', '=', id)
    .where('state', 'in', [...from])
    .executeTakeFirst();
  return settle(moved, options.onMismatch ?? 'throw', async () => {
    const row = await db.selectFrom('vms').select('state').where('id', '=', id).executeTakeFirst();
    return new TransitionRefusedError('vm', id, from, to, row?.state);
  });
}

/** Columns a run step's move may write along with its status. */
type StepTransitionFields = {
  position?: number;
  attempt?: Value<number>;
  startedAt?: Value<Date> | null;
  finishedAt?: Value<Date> | null;
  detail?: string | null;
  result?: string | null;
  error?: string | null;
  memo?: RawBuilder<string | null> | null;
  parkedUntil?: Date | null;
};

/**
 * Moves one step of a run (run_steps row `runId`/`key`) from one of `from` to `to`, checked
 * against core's STEP_TRANSITIONS and conditional on the current status exactly as
 * transitionRequest — the one writer of run_steps.status besides the insert of pending rows.
 */
export async function transitionStep(
  db: Executor,
  runId: string,
  key: string,
  from: readonly StepStatus[],
  to: StepStatus,
  options: { fields?: StepTransitionFields; onMismatch?: OnMismatch } = {},
): Promise<boolean> {
  assertAllowed('step', STEP_TRANSITIONS, from, to);
  const moved = await db
    .updateTable('runSteps')
    .set({ ...options.fields, status: to })
    .where('runId', '=', runId)
    .where('key', '=', key)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return settle(moved, options.onMismatch ?? 'throw', async () => {
    const row = await db.selectFrom('runSteps').select('status').where('runId', '=', runId).where('key', '=', key).executeTakeFirst();
    return new TransitionRefusedError('step', `${runId}/${key}`, from, to, row?.status);
  });
}

/**
 * Moves every step of a run that is in one of `from` to `to` (e.g. a rollback forgetting the
 * memo of undone steps), checked against STEP_TRANSITIONS. Rows in other states are untouched.
 * Returns how many moved.
 */
export async function transitionStepsOfRun(
  db: Executor,
  runId: string,
  from: readonly StepStatus[],
  to: StepStatus,
  options: { fields?: StepTransitionFields; exceptKeys?: readonly string[] } = {},
): Promise<number> {
  assertAllowed('step', STEP_TRANSITIONS, from, to);
  let q = db
    .updateTable('runSteps')
    .set({ ...options.fields, status: to })
    .where('runId', '=', runId)
    .where('status', 'in', [...from]);
  if (options.exceptKeys?.length) q = q.where('key', 'not in', [...options.exceptKeys]);
  const moved = await q.executeTakeFirst();
  return Number(moved.numUpdatedRows);
}
