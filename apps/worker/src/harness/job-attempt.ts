import type { Job } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { settingsOf } from '../settings';
import type { HarnessOptions, JobAttempt } from './execute-run';
import { pgRunStore } from './run-store';

/**
 * Moves the active job back to delayed until `untilMs` and throws the error BullMQ recognises by
 * name: the job keeps its id and is not counted as failed, and moveToDelayed uses no attempt
 * (`skipAttempt`), so the same job is picked up once when due.
 */
async function moveBack(job: Job, untilMs: number, why: string): Promise<never> {
  await job.moveToDelayed(untilMs, job.token);
  const err = new Error(why);
  err.name = 'DelayedError';
  throw err;
}

/** BullMQ's view of the attempt; `release` and `park` move the job back to delayed without using an attempt. */
export function jobAttempt(job: Job): JobAttempt {
  return {
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    release: (delayMs) => moveBack(job, Date.now() + delayMs, 'run released on shutdown'),
    park: (untilMs) => moveBack(job, untilMs, 'run parked while a step waits'),
  };
}

/** Harness options from the worker's deps and settings. */
export function harnessOptions(deps: WorkerDeps): HarnessOptions {
  const s = settingsOf(deps);
  return {
    store: pgRunStore(deps.db),
    log: deps.logger,
    stopping: deps.stopping ?? new AbortController().signal,
    stepRetries: s.STEP_RETRIES,
    stepRetryBaseMs: s.STEP_RETRY_BASE_MS,
    deadlineMinutes: s.RUN_DEADLINE_MINUTES,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  };
}
