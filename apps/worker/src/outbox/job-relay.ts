import { JOBS, type JobName, type JobProducer } from '@betang/core';
import { leaseOutbox, markOutboxFailed, markOutboxProcessed, type Db } from '@betang/db';
import type { Logger } from 'pino';
import { z } from 'zod';

/** Shape of an outbox message of topic 'job': which job to enqueue with which payload. */
const ZJobMessage = z.object({ name: z.string(), data: z.unknown() });

const MAX_ATTEMPTS = 50;
/** How long a leased message stays invisible to other relays while this one delivers it. */
const LEASE_MS = 30_000;

/**
 * Moves due 'job' messages from the outbox into the queue, in id order.
 *
 * Why this gives exactly-once jobs: the API writes the run row and its outbox message in one
 * transaction, so a job is never lost; the relay enqueues with the contract's deterministic job
 * id, so re-enqueueing after a crash between enqueue and commit never creates a second live job;
 * and job handlers check their run row, so even a re-enqueue after the first job was removed does
 * no work twice. Concurrent relays never lease the same row, and no transaction is held open while
 * enqueueing (on the embedded database an open transaction would stall the queue's own
 * connections).
 */
export async function relayJobsOnce(db: Db, producer: JobProducer, logger: Logger, batch = 50): Promise<number> {
  const rows = await leaseOutbox(db, 'job', batch, LEASE_MS);
  for (const row of rows) {
    const message = ZJobMessage.safeParse(row.payload);
    if (!message.success || !(message.data.name in JOBS)) {
      await markOutboxFailed(db, row.id, `invalid job message: ${JSON.stringify(row.payload).slice(0, 200)}`, 0, 1);
      logger.error({ outboxId: row.id }, 'pesan outbox tidak valid / invalid outbox job message');
      continue;
    }
    try {
      await producer.enqueue(message.data.name as JobName, message.data.data as never);
      await markOutboxProcessed(db, row.id);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      await markOutboxFailed(db, row.id, text, Math.min(60_000, 1000 * 2 ** row.attempts), MAX_ATTEMPTS);
      logger.warn(
        { outboxId: row.id, job: message.data.name, err: error },
        'gagal memasukkan tugas ke antrean, dicoba lagi / enqueue failed, will retry',
      );
    }
  }
  return rows.length;
}

/**
 * Runs relayJobsOnce every `intervalMs` until stopped; a failing round is logged, never fatal.
 * The first round runs at once, and a round that found a full batch is followed at once by the
 * next, so a burst of approvals reaches the queue without waiting an interval per batch.
 */
export function startJobRelay(db: Db, producer: JobProducer, logger: Logger, intervalMs = 250, batch = 50): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    if (stopped) return;
    const round = relayJobsOnce(db, producer, logger, batch).catch((error: unknown) => {
      logger.warn({ err: error }, 'relay outbox gagal / outbox relay round failed');
      return 0;
    });
    running = round;
    const moved = await round;
    if (!stopped) timer = setTimeout(tick, moved >= batch ? 0 : intervalMs);
  };
  // The first round at once: messages written while no relay ran need not wait an interval.
  let timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
