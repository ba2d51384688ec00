import { sql } from 'kysely';
import type { Executor, Tx } from '../database';

export type OutboxTopic = 'job' | 'email' | 'event';

export type OutboxRow = {
  id: number;
  topic: string;
  dedupKey: string | null;
  payload: unknown;
  attempts: number;
  createdAt: Date;
};

/**
 * Writes an outbox message in the caller's transaction, so it commits with the change that
 * caused it. With a dedup key, a second insert of the same message is silently ignored.
 * Returns false when the dedup key already existed.
 */
export async function insertOutbox(db: Executor, message: { topic: OutboxTopic; payload: unknown; dedupKey?: string; availableAt?: Date }): Promise<boolean> {
  const result = await db
    .insertInto('outbox')
    .values({ topic: message.topic, payload: JSON.stringify(message.payload), dedupKey: message.dedupKey ?? null, ...(message.availableAt ? { availableAt: message.availableAt } : {}) })
    .onConflict((oc) => oc.column('dedupKey').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/**
 * Claims up to `limit` due, unprocessed messages of a topic for this transaction
 * (FOR UPDATE SKIP LOCKED: concurrent relays never claim the same row).
 */
export async function claimOutbox(tx: Tx, topic: OutboxTopic, limit: number): Promise<OutboxRow[]> {
  return tx
    .selectFrom('outbox')
    .select(['id', 'topic', 'dedupKey', 'payload', 'attempts', 'createdAt'])
    .where('topic', '=', topic)
    .where('processedAt', 'is', null)
    .where('availableAt', '<=', new Date())
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Marks a message done. */
export async function markOutboxProcessed(db: Executor, id: number): Promise<void> {
  await db.updateTable('outbox').set({ processedAt: new Date(), lastError: null }).where('id', '=', id).execute();
}

/**
 * Records a failed delivery and schedules the next try after `retryInMs`; after `maxAttempts`
 * the message is parked (processed with its last error) so it stops retrying but stays visible.
 */
export async function markOutboxFailed(db: Executor, id: number, error: string, retryInMs: number, maxAttempts: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      lastError: error.slice(0, 2000),
      availableAt: new Date(Date.now() + retryInMs),
      processedAt: eb.case().when('attempts', '>=', maxAttempts - 1).then(sql<Date>`now()`).else(null).end(),
    }))
    .where('id', '=', id)
    .execute();
}
