import { sql } from 'kysely';
import type { Executor } from '../database';

/**
 * Counts one failed sign-in (or re-authentication) of a user and, from the `threshold`-th
 * consecutive failure on, locks the account for the next step of `lockMinutes` (the last step
 * repeats: the cap). Guarantees: one atomic UPDATE, so concurrent failures each count; returns
 * the failure count and the lock end after this failure (null when not locked).
 */
export async function recordLoginFailureWithBackoff(
  db: Executor,
  userId: string,
  threshold: number,
  lockMinutes: readonly number[],
): Promise<{ failedLogins: number; lockedUntil: Date | null }> {
  if (lockMinutes.length === 0 || threshold < 1) throw new Error('lockout needs a threshold ≥ 1 and at least one lock step');
  const steps = sql.raw(`ARRAY[${lockMinutes.map((m) => String(Math.trunc(m))).join(',')}]::int[]`);
  const result = await sql<{ failedLogins: number; lockedUntil: Date | null }>`
    UPDATE users SET
      failed_logins = failed_logins + 1,
      locked_until = CASE
        WHEN failed_logins + 1 >= ${threshold}
        THEN now() + make_interval(mins => (${steps})[LEAST(failed_logins + 2 - ${threshold}, ${lockMinutes.length})])
        ELSE locked_until
      END
    WHERE id = ${userId}
    RETURNING failed_logins AS "failedLogins", locked_until AS "lockedUntil"
  `.execute(db);
  const row = result.rows[0];
  return { failedLogins: Number(row?.failedLogins ?? 0), lockedUntil: row?.lockedUntil ? new Date(row.lockedUntil) : null };
}
