import { QUEUE_NAMES, type QueueName } from '@betang/core';
import type { Queue } from 'bullmq';
import type { QueueBackend } from './backend';

/** The job states an operator watches: backlog (waiting, delayed, prioritized), work in flight (active), and failures kept for inspection. */
const DEPTH_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed', 'waiting-children'] as const;
type DepthState = (typeof DEPTH_STATES)[number];

/** Job counts per queue and state, read at one moment. */
type QueueDepths = Record<QueueName, Record<DepthState, number>>;

export type QueueDepthReader = {
  /**
   * Job counts of every Betang queue. Answers from a cache younger than `ttlMs`; concurrent
   * callers share one read. Rejects when the backend does not answer within `timeoutMs` (the
   * cache is not reused then, so a dead backend never looks healthy).
   */
  read(): Promise<QueueDepths>;
  close(): Promise<void>;
};

/**
 * Reads queue depths through the backend abstraction (Redis or BullMQ's PostgreSQL backend
 * alike), for /metrics scrapes. Guarantees: one producer-side queue per name, opened lazily
 * and closed by `close()`; at most one read per `ttlMs` however often it is scraped.
 */
export function createQueueDepthReader(
  backend: QueueBackend,
  options: { ttlMs?: number; timeoutMs?: number; now?: () => number } = {},
): QueueDepthReader {
  const ttlMs = options.ttlMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  const queues = new Map<QueueName, Queue>();
  const queueFor = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = backend.createQueue(name);
      queue.on('error', () => undefined); // surfaced by the rejected read instead of console noise
      queues.set(name, queue);
    }
    return queue;
  };
  let cached: { at: number; depths: QueueDepths } | undefined;
  let inFlight: Promise<QueueDepths> | undefined;
  const load = async (): Promise<QueueDepths> => {
    // BullMQ waits for a connection forever; a scrape must not.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`queue depths: no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([counts(), deadline]).finally(() => clearTimeout(timer));
  };
  const counts = async (): Promise<QueueDepths> => {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const counts = await queueFor(name).getJobCounts(...DEPTH_STATES);
        const byState = Object.fromEntries(DEPTH_STATES.map((state) => [state, Number(counts[state] ?? 0)])) as Record<DepthState, number>;
        return [name, byState] as const;
      }),
    );
    return Object.fromEntries(entries) as QueueDepths;
  };
  return {
    read() {
      if (cached && now() - cached.at < ttlMs) return Promise.resolve(cached.depths);
      inFlight ??= load()
        .then((depths) => {
          cached = { at: now(), depths };
          return depths;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
    },
  };
}
