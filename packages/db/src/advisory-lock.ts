import { sql } from 'kysely';
import type { Db, Executor, Tx } from './database';
import type { HealthCheck } from '@betang/core';

/** Stable 64-bit lock key for a name (first 8 bytes of its md5, computed by PostgreSQL). */
function lockKey(name: string) {
  return sql<string>`('x' || substr(md5(${name}), 1, 16))::bit(64)::bigint`;
}

/**
 * Takes a transaction-scoped advisory lock, waiting for it. Released at commit/rollback,
 * so a crashed holder can never leave it held.
 */
export async function lockForTransaction(tx: Tx, name: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${lockKey(name)})`.execute(tx);
}

/**
 * Tries a transaction-scoped advisory lock without waiting.
 * Guarantees: returns true only when this transaction now holds the lock.
 */
export async function tryLockForTransaction(tx: Tx, name: string): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${lockKey(name)}) AS locked`.execute(tx);
  return rows[0]?.locked === true;
}

/**
 * Runs `fn` while holding the first free one of `names` as a SESSION advisory lock on a reserved
 * connection, with no transaction open (a clone can take minutes; an open transaction would hold
 * back vacuum, and on the embedded database stall every other connection). The lock is released
 * after `fn`, or by PostgreSQL when the connection dies with a crashed worker.
 * Returns `{ ran: false }` when every name is taken.
 */
export async function withFirstFreeSessionLock<T>(
  db: Db,
  names: readonly string[],
  fn: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  return db.connection().execute(async (conn) => {
    for (const name of names) {
      const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${lockKey(name)}) AS locked`.execute(conn);
      if (rows[0]?.locked !== true) continue;
      try {
        return { ran: true as const, value: await fn() };
      } finally {
        await sql`SELECT pg_advisory_unlock(${lockKey(name)})`.execute(conn);
      }
    }
    return { ran: false as const };
  });
}

/** Readiness check `database` (critical): PostgreSQL answers `SELECT 1`; a failure carries pg's reason. */
export function databaseCheck(db: Executor): HealthCheck {
  return {
    name: 'database',
    critical: true,
    async check() {
      await sql`SELECT 1`.execute(db);
      return { ok: true };
    },
  };
}
