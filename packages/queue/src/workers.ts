import { JOB_NAMES, JOBS, QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from '@betang/core';
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { QueueBackend } from './backend';

/** What a handler receives: the re-validated payload plus the BullMQ job for progress/attempts. */
export type JobHandler<N extends JobName> = (payload: JobPayload<N>, job: Job) => Promise<unknown>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

type WorkerEvents = {
  /** A job failed for good (last attempt, or unrecoverable); earlier attempts are not reported. */
  onFinalFailure?(job: Job, error: Error): void;
  onCompleted?(job: Job): void;
  onError?(error: Error): void;
};

/**
 * Checks the handler registry against the job contracts. Guarantees: throws (so the worker
 * refuses to start) when a job name has no handler or a handler has no contract.
 */
export function assertHandlersComplete(handlers: Record<string, unknown>): void {
  const missing = JOB_NAMES.filter((name) => typeof handlers[name] !== 'function');
  const unknown = Object.keys(handlers).filter((name) => !(name in JOBS));
  if (missing.length || unknown.length) {
    throw new Error(`job registry mismatch: missing handlers [${missing.join(', ')}], handlers without contract [${unknown.join(', ')}]`);
  }
}

/**
 * Starts one BullMQ worker per queue dispatching by job name. Each payload is re-validated on
 * dequeue: a payload that fails its schema is unrecoverable (never retried).
 */
export function startWorkers(
  backend: QueueBackend,
  handlers: JobHandlers,
  options: { concurrency: Partial<Record<QueueName, number>>; events?: WorkerEvents },
): Worker[] {
  assertHandlersComplete(handlers);
  return QUEUE_NAMES.map((queueName) => {
    const worker = backend.createWorker(
      queueName,
      async (job: Job) => {
        const name = job.name as JobName;
        const contract = JOBS[name];
        if (!contract || contract.queue !== queueName) throw new UnrecoverableError(`no job "${job.name}" on queue ${queueName}`);
        const parsed = contract.payload.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${name}: ${parsed.error.message}`);
        const handler = handlers[name] as JobHandler<JobName>;
        return handler(parsed.data as JobPayload<JobName>, job);
      },
      { concurrency: options.concurrency[queueName] ?? 1 },
    );
    worker.on('failed', (job, error) => {
      if (!job) return;
      const final =
        error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      if (final) options.events?.onFinalFailure?.(job, error);
    });
    worker.on('completed', (job) => options.events?.onCompleted?.(job));
    worker.on('error', (error) => options.events?.onError?.(error));
    void worker.run();
    return worker;
  });
}
