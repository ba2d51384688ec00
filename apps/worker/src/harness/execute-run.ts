import type { RunRow } from '@betang/db';
import type { Logger } from 'pino';
import { adviceFor } from './failure-advice';
import { classifyError, type ClassifiedError } from './classify-error';
import type { RunDefinition, RunFailure, StepDef, StepScope } from './run-definition';
import type { RunStore } from './run-store';
import { abortableSleep } from '../provisioning/sleep';

/** The queue's view of this execution: which attempt, how many in total, and how to hand it back. */
export type JobAttempt = {
  /** Attempts already made before this one (BullMQ `attemptsMade`). */
  attemptsMade: number;
  /** Attempts allowed in total (BullMQ `opts.attempts`). */
  attempts: number;
  /** Puts the job back in the queue without using up an attempt (graceful shutdown); must throw. */
  release?(delayMs: number): Promise<never>;
};

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
};

export type RunOutcome = { status: 'succeeded' | 'already-finished' | 'released' };

/** Thrown to BullMQ after the final attempt, when the run has been marked failed and cleaned up. */
export class RunFailedError extends Error {
  override readonly name = 'UnrecoverableError';
  constructor(readonly failure: RunFailure) {
    super(`${failure.code}: ${failure.text.en}`);
  }
}


function failureText(step: StepDef<unknown>, c: ClassifiedError, where: { node?: string; vmid?: number }) {
  const advice = adviceFor(c.code);
  const at = { id: `${where.node ? ` di node ${where.node}` : ''}${where.vmid ? ` (VM ${where.vmid})` : ''}`, en: `${where.node ? ` on node ${where.node}` : ''}${where.vmid ? ` (VM ${where.vmid})` : ''}` };
  return {
    id: `Langkah "${step.label.id}" gagal${at.id}: ${c.text.id} Tindakan: ${advice.id}`,
    en: `Step "${step.label.en}" failed${at.en}: ${c.text.en} What to do: ${advice.en}`,
  };
}

/**
 * Runs one attempt of a run through its steps. Guarantees:
 * - the run row is the source of truth: a run already finished is left alone; a memoised step
 *   (status done/skipped in run_steps) is never run again, its stored result is reused;
 * - progress and the current step are written before and after every step, and a heartbeat
 *   while a step runs;
 * - a transient failure is retried in-process (`stepRetries`, exponential), then rethrown so the
 *   queue retries the job with backoff; a permanent failure, or any failure on the last attempt,
 *   marks the run failed with an actionable bilingual reason and runs the definition's cleanup;
 * - on shutdown the run is released between steps (or mid-step, steps being idempotent)
 *   without using up an attempt.
 */
export async function executeRun<C>(def: RunDefinition<C>, runId: string, job: JobAttempt, o: HarnessOptions): Promise<RunOutcome> {
  const now = o.now ?? (() => new Date());
  const sleep = o.sleep ?? abortableSleep;
  const attempt = job.attemptsMade + 1;
  const isLastAttempt = attempt >= job.attempts;
  const begun = await o.store.begin(runId, attempt, new Date(now().getTime() + o.deadlineMinutes * 60_000));
  if (!begun) throw new RunFailedError({ code: 'RUN_NOT_FOUND', step: '-', retryable: false, text: { id: `Run ${runId} tidak ada.`, en: `Run ${runId} does not exist.` } });
  if ('finished' in begun) {
    o.log.info({ runId, status: begun.finished.status }, 'run sudah selesai, dilewati / run already finished, skipped');
    return { status: 'already-finished' };
  }
  const run: RunRow = begun.run;
  const log = o.log.child({ runId, run: def.name, attempt });
  const results = new Map<string, unknown>();
  const heartbeat = setInterval(() => void o.store.heartbeat(runId).catch(() => undefined), o.heartbeatMs ?? 15_000);
  heartbeat.unref();
  let ctx: C | undefined;
  let current: StepDef<C> | undefined;
  try {
    ctx = await def.load(run);
    await def.onStart?.(run, ctx);
    await o.store.plan(runId, def.steps.map((s) => s.key));
    for (const row of await o.store.steps(runId)) if (row.status === 'done' || row.status === 'skipped') results.set(row.key, row.result);
    const total = def.steps.reduce((sum, s) => sum + s.weight, 0) || 1;
    let doneWeight = 0;
    for (const [position, step] of def.steps.entries()) {
      if (results.has(step.key)) {
        doneWeight += step.weight;
        continue;
      }
      if (o.stopping.aborted) return await release(job, log);
      current = step;
      await o.store.progress(runId, (doneWeight / total) * 100, step.key);
      await o.store.stepRunning(runId, step.key, position);
      const base = doneWeight;
      const within = (fraction: number) => o.store.progress(runId, Math.min(99, ((base + Math.max(0, Math.min(1, fraction)) * step.weight) / total) * 100), step.key);
      const outcome = await runWithRetries(step, ctx, run, results, o, log, sleep, within);
      results.set(step.key, outcome?.result ?? null);
      await o.store.stepDone(runId, step.key, { status: outcome?.skipped ? 'skipped' : 'done', result: outcome?.result ?? null, detail: outcome?.detail ?? null });
      doneWeight += step.weight;
      await o.store.progress(runId, Math.min(99, (doneWeight / total) * 100), step.key);
      current = undefined;
    }
    await def.onSuccess(run, ctx, results);
    log.info('run selesai / run succeeded');
    return { status: 'succeeded' };
  } catch (error) {
    if (o.stopping.aborted && !(error instanceof RunFailedError)) {
      if (current) await o.store.stepFailed(runId, current.key, { code: 'WORKER_STOPPING', message: 'released on shutdown' }, 'dilepas saat worker berhenti / released on shutdown').catch(() => undefined);
      return await release(job, log);
    }
    const c = classifyError(error);
    const stepKey = current?.key ?? 'load';
    if (current) await o.store.stepFailed(runId, current.key, { code: c.code, message: c.text, retryable: c.retryable, attempt }).catch(() => undefined);
    if (c.retryable && !isLastAttempt) {
      log.warn({ step: stepKey, code: c.code, err: error }, 'langkah gagal sementara, dicoba lagi / step failed transiently, will retry');
      throw error;
    }
    const where = def.target?.(results, ctx) ?? {};
    const stepDef = current ?? ({ key: 'load', weight: 0, label: { id: 'memuat data run', en: 'loading the run' }, run: async () => undefined } as StepDef<C>);
    const failure: RunFailure = { code: c.code, step: stepKey, retryable: c.retryable, text: failureText(stepDef as StepDef<unknown>, c, where), ...where };
    log.error({ step: stepKey, code: c.code, err: error }, 'run gagal / run failed');
    await def.onFinalFailure(run, ctx, failure, results);
    throw new RunFailedError(failure);
  } finally {
    clearInterval(heartbeat);
  }
}

async function runWithRetries<C>(
  step: StepDef<C>,
  ctx: C,
  run: RunRow,
  results: Map<string, unknown>,
  o: HarnessOptions,
  log: Logger,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
  progress: (fraction: number) => Promise<void>,
) {
  const scope: StepScope<C> = {
    run,
    ctx,
    progress,
    signal: o.stopping,
    log: log.child({ step: step.key }),
    result<T>(key: string): T {
      if (!results.has(key)) throw new Error(`step ${step.key} needs the result of ${key}, which has not finished`);
      return results.get(key) as T;
    },
  };
  for (let i = 0; ; i++) {
    try {
      return await step.run(scope);
    } catch (error) {
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
