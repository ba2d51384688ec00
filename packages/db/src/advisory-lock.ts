import { sql } from 'kysely';
import type { Executor, Tx } from './database';

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

/** True when the executor can reach the database (readiness probe). */
export async function isDatabaseReachable(db: Executor): Promise<boolean> {
  try {
    await sql`SELECT 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
