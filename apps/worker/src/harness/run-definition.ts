import type { RunRow } from '@betang/db';
import type { Logger } from 'pino';
import type { Text } from './run-error';

/** What a step reports when it finishes; `result` is memoised and handed to later steps and retries. */
export type StepOutcome = { result?: unknown; detail?: string; skipped?: boolean };

/** What a step gets to work with. */
export type StepScope<C> = {
  run: RunRow;
  ctx: C;
  /** Result of an earlier (memoised) step; throws when that step has not finished. */
  result<T>(key: string): T;
  /** Aborted when the worker is shutting down: long waits should stop and let the run be released. */
  signal: AbortSignal;
  log: Logger;
  /** Moves the run's progress bar within this step (0..1 of its weight) during a long wait. */
  progress?(fraction: number): Promise<void>;
};

/**
 * One named step. `run` must be idempotent: it checks the real state (Proxmox, the guest, the
 * database) before acting, because a crash can interrupt it half-way and it then runs again.
 */
export type StepDef<C> = {
  key: string;
  /** Share of the progress bar (relative). */
  weight: number;
  label: Text;
  run(scope: StepScope<C>): Promise<StepOutcome | void>;
};

/** Why a run failed for good, as stored and e-mailed. */
export type RunFailure = {
  code: string;
  step: string;
  retryable: boolean;
  /** Full actionable text: what failed, where, what to do. */
  text: Text;
  node?: string;
  vmid?: number;
};

/** A kind of run: its steps and the domain transitions around them. */
export type RunDefinition<C> = {
  name: string;
  steps: readonly StepDef<C>[];
  /** Reads what the steps need (request, VM, pool…) by the run's ids. */
  load(run: RunRow): Promise<C>;
  /** After the run is marked running (each attempt): e.g. request queued → provisioning. */
  onStart?(run: RunRow, ctx: C): Promise<void>;
  /** Node and vmid the run is working on, from memoised results (for messages and logs). */
  target?(results: ReadonlyMap<string, unknown>, ctx: C | undefined): { node?: string; vmid?: number };
  /** Marks the run succeeded together with its domain effects (one transaction). */
  onSuccess(run: RunRow, ctx: C, results: ReadonlyMap<string, unknown>): Promise<void>;
  /** Marks the run failed, notifies, and cleans up; must not throw for cleanup problems it can record. */
  onFinalFailure(run: RunRow, ctx: C | undefined, failure: RunFailure, results: ReadonlyMap<string, unknown>): Promise<void>;
};
