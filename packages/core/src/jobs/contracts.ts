import { z } from 'zod';

/** Queues Betang uses; each job below belongs to exactly one. */
export const QUEUE_NAMES = ['provisioning', 'notifications', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Retry policy of a job: attempts in total and the first exponential backoff delay. */
export type RetryPolicy = { attempts: number; backoffMs: number };

type JobContract<P extends z.ZodType> = {
  queue: QueueName;
  payload: P;
  retry: RetryPolicy;
  /** Deterministic job id so re-enqueueing never duplicates; undefined = BullMQ assigns one. */
  jobId?: (payload: z.infer<P>) => string;
  /** What the handler guarantees when it runs twice for the same payload. */
  idempotency: string;
};

function contract<P extends z.ZodType>(c: JobContract<P>): JobContract<P> {
  return c;
}

/**
 * The one registry of job contracts (dotted `area.action` names). Payloads carry ids, never
 * entities or secrets: BullMQ stores job data in clear text.
 */
export const JOBS = {
  'maintenance.purge-sessions': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 3, backoffMs: 10_000 },
    idempotency: 'Deletes only sessions already expired; running it twice deletes nothing more.',
  }),
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;

/** Every job name, for the worker's boot check. */
export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/**
 * Port through which use cases enqueue work; implemented by packages/queue.
 * Guarantees of implementations: the payload is validated against the contract, and a
 * contract with a jobId rule never creates two live jobs for the same id.
 */
export interface JobProducer {
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>): Promise<{ jobId: string }>;
}
