import { sql } from 'kysely';
import type { Executor } from '../database';

/** A console ticket the browser may still use: who asked, for which VM. */
export type ConsoleTicketGrant = { sessionId: string; vmId: string; userId: string };

/** Records a console ticket (hashed by the caller) of `userId` for `vmId`, usable until `expiresAt`; returns the session id. */
export async function insertConsoleSession(
  db: Executor,
  row: { vmId: string; userId: string; ticketHash: string; expiresAt: Date },
): Promise<string> {
  const inserted = await db.insertInto('consoleSessions').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

/**
 * Spends a console ticket of `userId`. Guarantees: one atomic UPDATE that succeeds only for that
 * user's ticket, never opened and not expired, so a ticket opens one websocket, also when two
 * arrive at once, and someone else presenting it neither opens nor spends it.
 */
export async function openConsoleSession(db: Executor, ticketHash: string, userId: string): Promise<ConsoleTicketGrant | undefined> {
  const row = await db
    .updateTable('consoleSessions')
    .set({ openedAt: sql<Date>`now()` })
    .where('ticketHash', '=', ticketHash)
    .where('userId', '=', userId)
    .where('openedAt', 'is', null)
    .where('expiresAt', '>', sql<Date>`now()`)
    .returning(['id as sessionId', 'vmId', 'userId'])
    .executeTakeFirst();
  return row;
}

/** Marks an opened session ended with `reason` (first end wins; repeating is a no-op); returns its duration in seconds, or undefined when it was already ended. */
export async function endConsoleSession(db: Executor, sessionId: string, reason: string): Promise<number | undefined> {
  const row = await db
    .updateTable('consoleSessions')
    .set({ endedAt: sql<Date>`now()`, endReason: reason })
    .where('id', '=', sessionId)
    .where('endedAt', 'is', null)
    .where('openedAt', 'is not', null)
    .returning(sql<number>`extract(epoch from (now() - opened_at))::float8`.as('seconds'))
    .executeTakeFirst();
  return row ? Number(row.seconds) : undefined;
}

/**
 * Housekeeping, bounded to `limit` rows a call: deletes tickets never used that expired more than
 * a day ago, and ends as `lost` sessions still open after two days (the API process that held
 * them stopped without ending them). Safe to repeat and to run from several processes.
 */
export async function pruneConsoleSessions(db: Executor, limit = 100): Promise<{ deleted: number; lost: number }> {
  const deleted = await db
    .deleteFrom('consoleSessions')
    .where(
      'id',
      'in',
      db
        .selectFrom('consoleSessions')
        .select('id')
        .where('openedAt', 'is', null)
        .where('expiresAt', '<', sql<Date>`now() - interval '1 day'`)
        .limit(limit),
    )
    .executeTakeFirst();
  const lost = await db
    .updateTable('consoleSessions')
    .set({ endedAt: sql<Date>`now()`, endReason: 'lost' })
    .where(
      'id',
      'in',
      db
        .selectFrom('consoleSessions')
        .select('id')
        .where('endedAt', 'is', null)
        .where('openedAt', '<', sql<Date>`now() - interval '2 days'`)
        .limit(limit),
    )
    .executeTakeFirst();
  return { deleted: Number(deleted.numDeletedRows), lost: Number(lost.numUpdatedRows) };
}
