import { bilingualDetail, joinStepDetails } from '@betang/core';
import type { RunRow } from '@betang/db';
import type { Logger } from 'pino';
import { AttemptCache } from './attempt-cache';
import { adviceFor } from './failure-advice';
import { classifyError, type ClassifiedError } from './classify-error';
import {
  StepParked,
  type AnyStep,
  type Compensation,
  type RunDefinition,
  type RunFailure,
  type StepOutputs,
  type StepRef,
  type StepScope,
} from './run-definition';
import type { RunObserver } from './run-observer';
import type { RunStore } from './run-store';
import { abortableSleep } from './sleep';

/** The queue's view of this execution: which attempt, how many in total, and how to hand it back. */
export type JobAttempt = {
  /** Attempts already made before this one (BullMQ `attemptsMade`). */
  attemptsMade: number;
  /** Attempts allowed in total (BullMQ `opts.attempts`). */
  attempts: number;
  /** Puts the job back in the queue without using up an attempt (graceful shutdown); must throw. */
  release?(delayMs: number): Promise<never>;
  /**
   * Hands the job back to the queue until `untilMs` (epoch ms) without using up an attempt, so
   * the worker slot is free while a step waits; must throw. Absent: the harness waits in-process.
   */
  park?(untilMs: number): Promise<never>;
};

/** A wait shorter than this is slept in-process: parking and resuming costs a few queries and a pick-up. */
export const DEFAULT_PARK_MIN_MS = 2_000;

/** A job picked up this much before its step's parking time is early (a stale or promoted job) and parks again. */
const EARLY_PICKUP_MS = 250;

export type { RunObserver };

export type HarnessOptions = {
  store: RunStore;
  log: Logger;
  /** Aborted on SIGTERM: the harness stops between steps and releases the run. */
  stopping: AbortSignal;
  /** In-process retries of a transient step failure before it counts as a failed attempt. */
  stepRetries: number;
  stepRetryBaseMs: number;
  deadlineMinutes: number;
  heartbeatMs?: number;
  now?: () => Date;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  metrics?: RunObserver;
  /** Monotonic milliseconds for step durations (performance.now by default). */
  clock?: () => number;
  /** Waits shorter than this are slept in-process instead of parked (DEFAULT_PARK_MIN_MS). */
  parkMinMs?: number;
};

type RunOutcome = { status: 'succeeded' | 'already-finished' | 'released' };

/** BullMQ's signal that the job was moved to delayed by its processor (released or parked): not a failure. */
function isQueueDelay(error: unknown): boolean {
  return error instanceof Error && error.name === 'DelayedError';
}

/**
 * The queue refused to take a parked job back (its lock lost, the queue unreachable). Not the
 * run's failure: the step is parked in PostgreSQL, so the job fails this attempt and BullMQ's
 * retry (or the stalled-job check) brings it back to resume there.
 */
class ParkHandBackFailed extends Error {
  constructor(cause: unknown) {
    super(`the queue did not take the parked job back: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Thrown to BullMQ after the final attempt, when the run has been marked failed and rolled back. */
export class RunFailedError extends Error {
  override readonly name = 'UnrecoverableError';
  constructor(readonly failure: RunFailure) {
    super(`${failure.code}: ${failure.text.en}`);
  }
}

/** Key of the step row that records the rollback of a failed run. */
const ROLLBACK_STEP = 'cleanup';

const LOAD_STEP = { key: 'load', label: { id: 'memuat data run', en: 'loading the run' } };

function failureText(step: { label: { id: string; en: string } }, c: ClassifiedError, where: { node?: string; vmid?: number }) {
  const advice = adviceFor(c.code);
  const at = {
    id: `${where.node ? ` di node ${where.node}` : ''}${where.vmid ? ` (VM ${where.vmid})` : ''}`,
    en: `${where.node ? ` on node ${where.node}` : ''}${where.vmid ? ` (VM ${where.vmid})` : ''}`,
  };
  return {
    id: `Langkah "${step.label.id}" gagal${at.id}: ${c.text.id} Tindakan: ${advice.id}`,
    en: `Step "${step.label.en}" failed${at.en}: ${c.text.en} What to do: ${advice.en}`,
  };
}

function outputsOf(map: ReadonlyMap<string, unknown>): StepOutputs {
  return { get: <T>(step: StepRef<T>) => map.get(step.key) as T | undefined };
}

const seconds = (from: Date | null, to: Date | null) => (from && to ? (new Date(to).getTime() - new Date(from).getTime()) / 1000 : 0);

/**
 * Runs one attempt of a run through its steps. Guarantees:
 * - the run row is the source of truth: a run already finished is left alone; a memoised step
 *   (status done/skipped in run_steps) is never run again, its stored output is reused;
 * - each attempt gets a fresh AttemptCache: nothing learned by an earlier attempt is trusted;
 * - progress and the current step are written before and after every step, and a heartbeat
 *   while a step runs; every finished step's duration is observed;
 * - success is written once, here, with the definition's domain effects (one transaction);
 * - a transient failure is retried in-process (`stepRetries`, exponential), then rethrown so the
 *   queue retries the job with backoff; a permanent failure, or any failure on the last attempt,
 *   goes through failRun (reason, e-mail, audit, metrics, rollback);
 * - on shutdown the run is released between steps (or mid-step, steps being idempotent)
 *   without using up an attempt;
 * - a step that parks (scope.park) has its memo stored on its row and the job moved to delayed
 *   (no attempt used, the slot freed); the next pick-up calls that step again, once, with the
 *   memo — never earlier than its parking time (an early or duplicate job parks again) and never
 *   the steps before it. A run no longer running when it parks is left alone.
 */
export async function executeRun<C, E>(def: RunDefinition<C, E>, runId: string, job: JobAttempt, o: HarnessOptions): Promise<RunOutcome> {
  const now = o.now ?? (() => new Date());
  const sleep = o.sleep ?? abortableSleep;
  const clock = o.clock ?? (() => performance.now());
  const attempt = job.attemptsMade + 1;
  const isLastAttempt = attempt >= job.attempts;
  const begun = await o.store.begin(runId, attempt, new Date(now().getTime() + o.deadlineMinutes * 60_000));
  if (!begun)
    throw new RunFailedError({
      code: 'RUN_NOT_FOUND',
      step: '-',
      retryable: false,
      text: { id: `Run ${runId} tidak ada.`, en: `Run ${runId} does not exist.` },
    });
  if ('finished' in begun) {
    o.log.info({ runId, status: begun.finished.status }, 'run sudah selesai, dilewati / run already finished, skipped');
    await resumeRollback(def, begun.finished, o);
    return { status: 'already-finished' };
  }
  const run: RunRow = begun.run;
  const log = o.log.child({ runId, run: def.name, attempt });
  const outputs = new Map<string, unknown>();
  const cache = new AttemptCache();
  const heartbeat = setInterval(() => void o.store.heartbeat(runId).catch(() => undefined), o.heartbeatMs ?? 15_000);
  heartbeat.unref();
  let ctx: C | undefined;
  let current: AnyStep<C, E> | undefined;
  let began = 0;
  try {
    ctx = await def.load(run);
    const loaded = ctx;
    await def.onStart?.(run, loaded);
    await o.store.plan(
      runId,
      def.steps.map((s) => s.key),
    );
    const stepRows = await o.store.steps(runId);
    for (const row of stepRows) if (row.status === 'done' || row.status === 'skipped') outputs.set(row.key, row.result);
    const total = def.steps.reduce((sum, s) => sum + s.weight, 0) || 1;
    let doneWeight = 0;
    for (const [position, step] of def.steps.entries()) {
      if (outputs.has(step.key)) {
        doneWeight += step.weight;
        continue;
      }
      if (o.stopping.aborted) return await release(job, log);
      const row = stepRows.find((r) => r.key === step.key);
      const parkedUntil = row?.status === 'running' && row.parkedUntil ? new Date(row.parkedUntil).getTime() : undefined;
      if (parkedUntil !== undefined && job.park && parkedUntil - now().getTime() > EARLY_PICKUP_MS) {
        log.info(
          { step: step.key, until: new Date(parkedUntil) },
          'run diambil sebelum waktunya, diparkir lagi / run picked up early, parked again',
        );
        return await job.park(parkedUntil);
      }
      current = step;
      // A resumed step keeps its memo and its place on the bar; a fresh one starts at its share.
      let memo: unknown = row?.status === 'running' ? (row.memo ?? undefined) : undefined;
      if (parkedUntil !== undefined) await o.store.unpark(runId, step.key);
      else {
        await o.store.progress(runId, (doneWeight / total) * 100, step.key);
        await o.store.stepRunning(runId, step.key, position);
      }
      // A resumed step's duration counts from its first call, parks included.
      began =
        clock() - (parkedUntil !== undefined && row?.startedAt ? Math.max(0, now().getTime() - new Date(row.startedAt).getTime()) : 0);
      const base = doneWeight;
      const within = (fraction: number) =>
        o.store.progress(runId, Math.min(99, ((base + Math.max(0, Math.min(1, fraction)) * step.weight) / total) * 100), step.key);
      const scopeWith = (stepMemo: unknown): StepScope<C> => ({
        run,
        ctx: loaded,
        cache,
        progress: within,
        signal: o.stopping,
        log: log.child({ step: step.key }),
        memo: stepMemo,
        park(until, parkMemo, waiting) {
          throw new StepParked(until, parkMemo, waiting);
        },
        output<T>(earlier: StepRef<T>): T {
          if (!outputs.has(earlier.key)) throw new Error(`step ${step.key} needs the output of ${earlier.key}, which has not finished`);
          return outputs.get(earlier.key) as T;
        },
      });
      let outcome: Awaited<ReturnType<typeof step.run>>;
      for (;;) {
        try {
          outcome = await runWithRetries(step, scopeWith(memo), o, sleep);
          break;
        } catch (error) {
          if (!(error instanceof StepParked)) throw error;
          const wait = error.until - now().getTime();
          const parkJob = job.park?.bind(job);
          if (!parkJob || (wait < (o.parkMinMs ?? DEFAULT_PARK_MIN_MS) && !o.stopping.aborted)) {
            await sleep(Math.max(0, wait), o.stopping);
            if (!o.stopping.aborted) {
              memo = error.memo;
              continue;
            }
            // Stopping without a queue to park in: released like any step cut off by the shutdown.
            if (!parkJob) throw new Error('worker stopping during a wait', { cause: error });
          }
          // Off the worker: the memo on the step row is all the next pick-up needs.
          const detail = error.waiting ? bilingualDetail(error.waiting) : undefined;
          const until = new Date(Math.max(error.until, now().getTime()));
          if (!(await o.store.park(runId, step.key, { until, memo: error.memo, ...(detail ? { detail } : {}) }))) {
            log.warn({ step: step.key }, 'run tidak lagi berjalan, tidak diparkir / run no longer running, not parked');
            current = undefined;
            return { status: 'already-finished' };
          }
          log.debug({ step: step.key, until }, 'langkah menunggu di luar worker / step parked off the worker');
          current = undefined;
          return await parkJob(until.getTime()).catch((e: unknown) => {
            throw isQueueDelay(e) ? e : new ParkHandBackFailed(e);
          });
        }
      }
      const status = outcome.skipped ? 'skipped' : 'done';
      outputs.set(step.key, outcome.result ?? null);
      await o.store.stepDone(runId, step.key, { status, result: outcome.result ?? null, detail: outcome.detail ?? null });
      o.metrics?.observeStep(run.kind, step.key, status, (clock() - began) / 1000);
      doneWeight += step.weight;
      await o.store.progress(runId, Math.min(99, (doneWeight / total) * 100), step.key);
      current = undefined;
    }
    const finished = await o.store.finish(run, { status: 'succeeded' }, (tx) => def.onSucceeded?.(tx, run, loaded) ?? Promise.resolve());
    if (finished) o.metrics?.observeRun(run.kind, 'succeeded', seconds(finished.startedAt, finished.finishedAt));
    log.info('run selesai / run succeeded');
    return { status: 'succeeded' };
  } catch (error) {
    if (isQueueDelay(error)) throw error;
    if (error instanceof ParkHandBackFailed) {
      log.warn({ err: error }, 'antrean menolak run yang diparkir, dicoba lagi / the queue refused the parked run, retried');
      throw error;
    }
    if (o.stopping.aborted && !(error instanceof RunFailedError)) {
      if (current) {
        const stopped = current.key;
        await o.store
          .stepFailed(
            runId,
            stopped,
            { code: 'WORKER_STOPPING', message: 'released on shutdown' },
            'dilepas saat worker berhenti / released on shutdown',
          )
          .then(() => o.metrics?.observeStep(run.kind, stopped, 'failed', (clock() - began) / 1000))
          .catch(() => undefined);
      }
      return await release(job, log);
    }
    const c = classifyError(error);
    const stepKey = current?.key ?? LOAD_STEP.key;
    if (current) {
      const failedStep = current.key;
      await o.store
        .stepFailed(runId, failedStep, { code: c.code, message: c.text, retryable: c.retryable, attempt })
        .then(() => o.metrics?.observeStep(run.kind, failedStep, 'failed', (clock() - began) / 1000))
        .catch(() => undefined);
    }
    if (c.retryable && !isLastAttempt) {
      log.warn({ step: stepKey, code: c.code, err: error }, 'langkah gagal sementara, dicoba lagi / step failed transiently, will retry');
      throw error;
    }
    const where = def.target?.(outputsOf(outputs), ctx) ?? {};
    const failure: RunFailure = {
      code: c.code,
      step: stepKey,
      retryable: c.retryable,
      text: failureText(current ?? LOAD_STEP, c, where),
      ...where,
    };
    log.error({ step: stepKey, code: c.code, err: error }, 'run gagal / run failed');
    await failRun(def, run, ctx, failure, { ...o, log });
    throw new RunFailedError(failure);
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * The final failure of a running run, for the harness and for the reaper alike: in one
 * transaction the run becomes failed with its reason, the definition's domain effects and audit
 * entry are written and operators are e-mailed; then the run is rolled back (see rollback).
 * Returns false, and does nothing, when the run was no longer running (someone else finished it).
 * Safe to run twice: the second call finds the run failed.
 */
export async function failRun<C, E>(
  def: RunDefinition<C, E>,
  run: RunRow,
  ctx: C | undefined,
  failure: RunFailure,
  o: HarnessOptions,
): Promise<boolean> {
  const finished = await o.store.finish(
    run,
    { status: 'failed', failure },
    (tx) => def.onFailed?.(tx, run, ctx, failure) ?? Promise.resolve(),
  );
  if (!finished) {
    o.log.warn({ runId: run.id }, 'run sudah tidak berjalan, tidak ditandai gagal / run no longer running, not marked failed');
    return false;
  }
  o.metrics?.observeRun(run.kind, 'failed', seconds(finished.startedAt, finished.finishedAt));
  await rollback(def, run, o);
  return true;
}

/**
 * A failed run whose rollback was cut off (the worker died between marking the run failed and
 * finishing its compensations; the queue then hands the job out again) has its `cleanup` row
 * still running: the rollback runs again, which its compensations are written to allow.
 */
async function resumeRollback<C, E>(def: RunDefinition<C, E>, run: RunRow, o: HarnessOptions): Promise<void> {
  if (run.status !== 'failed' || !def.steps.some((s) => s.compensate)) return;
  const interrupted = (await o.store.steps(run.id)).some((r) => r.key === ROLLBACK_STEP && r.status === 'running');
  if (!interrupted) return;
  o.log.warn({ runId: run.id }, 'pembersihan yang terputus diulang / resuming an interrupted cleanup');
  await rollback(def, run, o);
}

/**
 * Runs the compensation of every step that has one, last step first, recorded as the `cleanup`
 * step row. Every compensation runs — of finished steps, of the step that failed half-way, and of
 * steps that never ran — because each reads the real state and does nothing when there is
 * nothing to undo; later compensations see what earlier ones did (`undone`). A transient failure
 * is retried like a step. When all undid their step, the memo of the run's steps is forgotten;
 * when one kept its effects on purpose, the rest is kept as it is for an operator; when one
 * failed, the rollback step is marked failed and the definition tells operators. Idempotent:
 * running it again after a crash undoes what is left and changes nothing else.
 */
async function rollback<C, E>(def: RunDefinition<C, E>, run: RunRow, o: HarnessOptions): Promise<void> {
  const compensable = [...def.steps].reverse().filter((s) => s.compensate);
  if (compensable.length === 0) return;
  const sleep = o.sleep ?? abortableSleep;
  const log = o.log.child({ runId: run.id, step: ROLLBACK_STEP });
  const outputs = new Map<string, unknown>();
  for (const row of await o.store.steps(run.id)) if (row.status === 'done' || row.status === 'skipped') outputs.set(row.key, row.result);
  await o.store.stepRunning(run.id, ROLLBACK_STEP, def.steps.length);
  const undone = new Map<string, Compensation>();
  let failed: ClassifiedError | undefined;
  for (const step of compensable) {
    const compensate = step.compensate?.bind(step);
    if (!compensate) continue;
    try {
      const scope = {
        run,
        env: def.env,
        output: outputs.get(step.key),
        undone: (s: StepRef<unknown>) => undone.get(s.key),
        signal: o.stopping,
        log,
      };
      undone.set(step.key, await retryTransient(() => compensate(scope), o, sleep));
    } catch (error) {
      const c = classifyError(error);
      log.error({ err: error, compensating: step.key }, 'pembersihan gagal / cleanup failed');
      undone.set(step.key, {
        undone: false,
        detail: bilingualDetail({ id: `${step.key}: ${c.text.id}`, en: `${step.key}: ${c.text.en}` }),
      });
      failed ??= c;
    }
  }
  if (failed) {
    await o.store.stepFailed(run.id, ROLLBACK_STEP, { code: failed.code, message: failed.text }).catch(() => undefined);
    await def.onRollbackFailed?.(run, failed).catch(() => undefined);
    return;
  }
  const all = [...undone.values()];
  if (all.every((u) => u.undone))
    await o.store.reset(run.id, [ROLLBACK_STEP], bilingualDetail({ id: 'dibatalkan oleh pembersihan', en: 'undone by the rollback' }));
  await o.store.stepDone(run.id, ROLLBACK_STEP, {
    status: 'done',
    result: Object.fromEntries([...undone].filter(([, u]) => u.result !== undefined).map(([key, u]) => [key, u.result])),
    detail: all.some((u) => u.detail) ? joinStepDetails(all.flatMap((u) => (u.detail ? [u.detail] : []))) : null,
  });
}

async function retryTransient<T>(
  fn: () => Promise<T>,
  o: HarnessOptions,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (!classifyError(error).retryable || i >= o.stepRetries) throw error;
      await sleep(o.stepRetryBaseMs * 2 ** i, o.stopping);
    }
  }
}

async function runWithRetries<C, E>(
  step: AnyStep<C, E>,
  scope: StepScope<C>,
  o: HarnessOptions,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
) {
  for (let i = 0; ; i++) {
    try {
      return await step.run(scope);
    } catch (error) {
      if (error instanceof StepParked) throw error;
      const c = classifyError(error);
      if (!c.retryable || i >= o.stepRetries || o.stopping.aborted) throw error;
      scope.log.warn({ code: c.code, retry: i + 1 }, 'langkah gagal sementara, diulang / step failed transiently, retrying');
      await sleep(o.stepRetryBaseMs * 2 ** i, o.stopping);
    }
  }
}

async function release(job: JobAttempt, log: Logger): Promise<RunOutcome> {
  log.info('worker berhenti: run dilepas ke antrean / worker stopping: run released to the queue');
  if (job.release) await job.release(1_000);
  return { status: 'released' };
}
