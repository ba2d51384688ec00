import type { AuditEntry, RunRow, Tx } from '@betang/db';
import type { Logger } from 'pino';
import type { AttemptCache } from './attempt-cache';
import type { ClassifiedError } from './classify-error';
import type { LocalizedText } from '@betang/core';

/** What a step reports when it finishes; `result` is its memoised output, handed to later steps and retries. */
type StepOutcome<T> = { result?: T; detail?: string; skipped?: boolean };

/** A step as seen by the steps after it: its key, and (type only) the output it declares. */
export type StepRef<T> = { readonly key: string; readonly __output?: T };

/** Memoised outputs of the run's finished steps, read through the step that declared them. */
export type StepOutputs = {
  /** The output of `step`, or undefined when it has not finished. */
  get<T>(step: StepRef<T>): T | undefined;
};

/** What a step gets to work with. */
export type StepScope<C> = {
  run: RunRow;
  ctx: C;
  /** Output of an earlier (memoised) step, typed by that step's declaration; throws when it has not finished. */
  output<T>(step: StepRef<T>): T;
  /** Facts this attempt learned in earlier steps (see AttemptCache); empty on every new attempt. */
  cache: AttemptCache;
  /** Aborted when the worker is shutting down: long waits should stop and let the run be released. */
  signal: AbortSignal;
  log: Logger;
  /** Moves the run's progress bar within this step (0..1 of its weight) during a long wait. */
  progress?(fraction: number): Promise<void>;
  /**
   * What this step handed to `park` last time (its wait's deadline, a task's UPID…), or
   * undefined when the step starts afresh. A JSON round trip: plain data only.
   */
  memo: unknown;
  /**
   * Ends this call of the step to wait off the worker: the harness stores `memo`, frees the
   * worker slot (or, for a wait too short to be worth it, sleeps in-process) and calls the step
   * again, once, at `until` (epoch ms) with `memo`. `waiting` is shown on the step meanwhile.
   */
  park(until: number, memo: unknown, waiting?: LocalizedText): never;
};

/**
 * Thrown by `scope.park`: the step is not done, it waits until `until` and then goes on from
 * `memo`. Never a failure: the harness neither retries nor classifies it.
 */
export class StepParked extends Error {
  override readonly name = 'StepParked';
  constructor(
    readonly until: number,
    readonly memo: unknown,
    readonly waiting?: LocalizedText,
  ) {
    super(`step parked until ${new Date(until).toISOString()}`);
  }
}

/**
 * What a compensation did: `undone` when its step's effects are gone (or were never there);
 * otherwise they were kept on purpose (e.g. a VM Betang cannot prove it owns) and the steps
 * before it must keep theirs too. `detail` is written on the rollback's step row.
 */
export type Compensation = { undone: boolean; detail?: string; result?: unknown };

/** What a compensation gets to work with. */
type CompensateScope<T, E> = {
  run: RunRow;
  /** The definition's environment (database, PVE client, settings). */
  env: E;
  /** The step's memoised output, when it finished; a step cut off half-way has none. */
  output: T | undefined;
  /** The compensation of a later step in this rollback (run before this one), or undefined. */
  undone(step: StepRef<unknown>): Compensation | undefined;
  signal: AbortSignal;
  log: Logger;
};

/**
 * One named step. `run` must be idempotent: it checks the real state (Proxmox, the guest, the
 * database) before acting, because a crash can interrupt it half-way and it then runs again.
 * `compensate` undoes what the step creates; it reads the real state too and must be safe to run
 * twice and safe to run for a step that never ran or stopped half-way (a crash or a reaped run
 * leaves no trustworthy record of how far a step got).
 */
export type Step<C, T = void, E = unknown> = {
  readonly key: string;
  /** Share of the progress bar (relative). */
  readonly weight: number;
  readonly label: LocalizedText;
  run(scope: StepScope<C>): Promise<StepOutcome<T>>;
  compensate?(scope: CompensateScope<T, E>): Promise<Compensation>;
  /** Type only: the output this step declares (see StepRef). */
  readonly __output?: T;
};

/** A step of a definition whatever its output type. */
export type AnyStep<C, E = unknown> = Step<C, unknown, E>;

/**
 * Declares a step (Medusa's createStep(name, invoke, compensate), with our memo): its output type
 * `T` is what later steps get from `scope.output(step)`.
 */
export function createStep<C, T = void, E = unknown>(step: Omit<Step<C, T, E>, '__output'>): Step<C, T, E> {
  return step;
}

/** Why a run failed for good, as stored and e-mailed. */
export type RunFailure = {
  code: string;
  step: string;
  retryable: boolean;
  /** Full actionable text: what failed, where, what to do. */
  text: LocalizedText;
  node?: string;
  vmid?: number;
};

/** What a definition adds to the harness's finishing transaction: its audit entry and the name the e-mail uses. */
export type RunFacts = { audit?: AuditEntry; subject?: string };

/**
 * A kind of run: its steps and the domain transitions around them. The harness does the run's
 * bookkeeping itself (run row, e-mail to operators, audit entry written, metrics, rollback).
 */
export type RunDefinition<C, E = unknown> = {
  name: string;
  steps: readonly AnyStep<C, E>[];
  /** Handed to compensations, which may run without a loaded context (a reaped run). */
  env: E;
  /** Reads what the steps need (request, VM, pool…) by the run's ids. */
  load(run: RunRow): Promise<C>;
  /** After the run is marked running (each attempt): e.g. request queued → provisioning. */
  onStart?(run: RunRow, ctx: C): Promise<void>;
  /** Node and vmid the run is working on, from memoised outputs (for messages and logs). */
  target?(outputs: StepOutputs, ctx: C | undefined): { node?: string; vmid?: number };
  /** Domain effects of success, in the transaction that marks the run succeeded. */
  onSucceeded?(tx: Tx, run: RunRow, ctx: C): Promise<RunFacts | void>;
  /** Domain effects of the final failure, in the transaction that marks the run failed. */
  onFailed?(tx: Tx, run: RunRow, ctx: C | undefined, failure: RunFailure): Promise<RunFacts | void>;
  /** A compensation failed even after retries: tell operators (e.g. a finding). Must not throw for what it can record. */
  onRollbackFailed?(run: RunRow, error: ClassifiedError): Promise<void>;
};
