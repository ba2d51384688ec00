import { JOBS, ZEmailMessage, type EmailMessageInput, type JobName, type JobPayload } from '@betang/core';
import { sql } from 'kysely';
import type { Executor } from '../database';

type OutboxTopic = 'job' | 'email' | 'event';

type OutboxRow = {
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
 * Returns false when the dedup key already existed. Unchecked: jobs and e-mails go through
 * enqueueJob and enqueueEmail, which check the payload first.
 */
export async function insertOutbox(
  db: Executor,
  message: { topic: OutboxTopic; payload: unknown; dedupKey?: string; availableAt?: Date },
): Promise<boolean> {
  const result = await db
    .insertInto('outbox')
    .values({
      topic: message.topic,
      payload: JSON.stringify(message.payload),
      dedupKey: message.dedupKey ?? null,
      ...(message.availableAt ? { availableAt: message.availableAt } : {}),
    })
    .onConflict((oc) => oc.column('dedupKey').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** An outbox message of topic 'job': the relay enqueues `data` as job `name`. */
type OutboxJobMessage<N extends JobName = JobName> = { name: N; data: JobPayload<N> };

/** A message that does not match its contract; thrown before anything is written. */
export class OutboxPayloadError extends Error {
  constructor(
    readonly what: string,
    readonly issues: string,
  ) {
    super(`outbox ${what}: payload does not match its contract: ${issues}`);
    this.name = 'OutboxPayloadError';
  }
}

/**
 * Writes a job to the outbox in the caller's transaction, its payload checked against the job
 * registry's schema (core's JOBS) now rather than when the relay enqueues it, so a wrong payload
 * fails the change that caused it instead of being dropped later. The dedup key makes a second
 * write of the same job a no-op (returns false).
 */
export async function enqueueJob<N extends JobName>(
  db: Executor,
  name: N,
  payload: JobPayload<N>,
  options: { dedupKey: string; availableAt?: Date },
): Promise<boolean> {
  const parsed = JOBS[name].payload.safeParse(payload);
  if (!parsed.success) throw new OutboxPayloadError(`job ${name}`, parsed.error.message);
  const message: OutboxJobMessage<N> = { name, data: parsed.data as JobPayload<N> };
  return insertOutbox(db, {
    topic: 'job',
    payload: message,
    dedupKey: options.dedupKey,
    ...(options.availableAt ? { availableAt: options.availableAt } : {}),
  });
}

/**
 * Writes an e-mail to the outbox in the caller's transaction, checked against ZEmailMessage
 * (the schema the sender parses) at write time. The dedup key makes a second write a no-op
 * (returns false), so each e-mail is queued once however often its cause runs.
 */
export async function enqueueEmail(db: Executor, message: EmailMessageInput, dedupKey: string): Promise<boolean> {
  const parsed = ZEmailMessage.safeParse(message);
  if (!parsed.success) throw new OutboxPayloadError('e-mail', parsed.error.message);
  return insertOutbox(db, { topic: 'email', payload: parsed.data, dedupKey });
}

/**
 * Leases up to `limit` due, unprocessed messages of a topic: in one statement it pushes their
 * `available_at` `leaseMs` into the future (FOR UPDATE SKIP LOCKED, so concurrent relays never
 * take the same row) and returns them. The caller delivers them without holding a transaction
 * open across network I/O, then marks each processed or failed; a relay that dies mid-way
 * leaves its rows to be taken again when the lease runs out (at-least-once).
 */
export async function leaseOutbox(db: Executor, topic: OutboxTopic, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  const { rows } = await sql<OutboxRow>`
    UPDATE outbox SET available_at = now() + make_interval(secs => ${leaseMs / 1000})
    WHERE id IN (
      SELECT id FROM outbox
      WHERE topic = ${topic} AND processed_at IS NULL AND available_at <= now()
      ORDER BY id LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING id, topic, dedup_key AS "dedupKey", payload, attempts, created_at AS "createdAt"`.execute(db);
  return rows.sort((a, b) => a.id - b.id);
}

/** Marks a message done. */
export async function markOutboxProcessed(db: Executor, id: number, replacePayload?: unknown): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ processedAt: new Date(), lastError: null, ...(replacePayload === undefined ? {} : { payload: JSON.stringify(replacePayload) }) })
    .where('id', '=', id)
    .execute();
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
      processedAt: eb
        .case()
        .when('attempts', '>=', maxAttempts - 1)
        .then(sql<Date>`now()`)
        .else(null)
        .end(),
    }))
    .where('id', '=', id)
    .execute();
}
