import type { Job } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { settingsOf } from '../settings';
import type { HarnessOptions, JobAttempt } from './execute-run';
import { pgRunStore } from './run-store';

/** BullMQ's view of the attempt; `release` moves the job back to delayed without using an attempt. */
export function jobAttempt(job: Job): JobAttempt {
  return {
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    async release(delayMs) {
      await job.moveToDelayed(Date.now() + delayMs, job.token);
      // BullMQ recognises this by name: the job stays delayed and is not counted as failed.
      const err = new Error('run released on shutdown');
      err.name = 'DelayedError';
      throw err;
    },
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
