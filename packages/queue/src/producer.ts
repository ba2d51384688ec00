import { JOBS, type JobName, type JobPayload, type JobProducer } from '@betang/core';
import type { JobsOptions, Queue } from 'bullmq';
import type { QueueBackend } from './backend';

/** BullMQ options of a contract: defined here once, never at call sites. */
function jobOptions(name: JobName, payload: unknown): JobsOptions {
  const contract = JOBS[name];
  const jobId =
    'jobId' in contract && typeof contract.jobId === 'function' ? (contract.jobId as (p: unknown) => string)(payload) : undefined;
  return {
    attempts: contract.retry.attempts,
    backoff: { type: 'exponential', delay: contract.retry.backoffMs },
    removeOnComplete: { age: 7 * 24 * 3600, count: 5000 },
    removeOnFail: false,
    ...(jobId ? { jobId } : {}),
  };
}

/**
 * The queue-backed JobProducer. Guarantees: payloads are validated against their contract
 * before anything is sent; a contract's deterministic job id makes a second enqueue of the same
 * work a no-op while the first job is kept; the call fails fast when the backend is down.
 */
export function createJobProducer(backend: QueueBackend): JobProducer & { close(): Promise<void> } {
  const queues = new Map<string, Queue>();
  const queueFor = (name: string) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = backend.createQueue(name);
      queues.set(name, queue);
    }
    return queue;
  };
  return {
    async enqueue<N extends JobName>(name: N, payload: JobPayload<N>) {
      const contract = JOBS[name];
      const data = contract.payload.parse(payload);
      const job = await queueFor(contract.queue).add(name, data, jobOptions(name, data));
      return { jobId: String(job.id) };
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
