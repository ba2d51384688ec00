import { sql } from 'kysely';
import type { Executor } from '../database';

/** What {@link claimLoginAttempt} saw: the attempt may go on (counters after it), or the account is locked until a time. */
export type LoginAttemptClaim = { claimed: true; failedLogins: number; lockedUntil: Date | null } | { claimed: false; failedLogins: number; lockedUntil: Date };

/**
 * Claims one sign-in (or re-authentication) attempt of a user BEFORE the password is checked:
 * counts it as a failure and, from the `threshold`-th consecutive one on, locks the account for
 * the next step of `lockMinutes` (the last step repeats: the cap). A successful check then resets
 * the counters (recordLoginSuccess). Guarantees: one atomic UPDATE that only succeeds while the
 * account is not locked, so parallel attempts cannot all slip past a lock that one of them sets;
 * `claimed: false` means locked (with `lockedUntil` the current lock end) and nothing was counted.
 * A lock that ended while this attempt waited for the row is not a lock: the claim is tried again.
 */
export async function claimLoginAttempt(db: Executor, userId: string, threshold: number, lockMinutes: readonly number[], retries = 2): Promise<LoginAttemptClaim> {
  if (lockMinutes.length === 0 || threshold < 1) throw new Error('lockout needs a threshold ≥ 1 and at least one lock step');
  const steps = sql.raw(`ARRAY[${lockMinutes.map((m) => String(Math.trunc(m))).join(',')}]::int[]`);
  const result = await sql<{ claimed: boolean; failedLogins: number; lockedUntil: Date | null }>`
    WITH claimed AS (
      UPDATE users SET
        failed_logins = failed_logins + 1,
        locked_until = CASE
          WHEN failed_logins + 1 >= ${threshold}
          THEN now() + make_interval(mins => (${steps})[LEAST(failed_logins + 2 - ${threshold}, ${lockMinutes.length})])
          ELSE locked_until
        END
      WHERE id = ${userId} AND (locked_until IS NULL OR locked_until <= now())
      RETURNING failed_logins, locked_until
    )
    SELECT
      EXISTS (SELECT 1 FROM claimed) AS claimed,
      COALESCE((SELECT failed_logins FROM claimed), u.failed_logins) AS "failedLogins",
      CASE WHEN EXISTS (SELECT 1 FROM claimed) THEN (SELECT locked_until FROM claimed) ELSE u.locked_until END AS "lockedUntil"
    FROM users u WHERE u.id = ${userId}
  `.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error(`no user ${userId} to claim a sign-in attempt for`);
  if (!row.claimed) {
    // The statement's snapshot predates the lock that a parallel attempt committed while this
    // UPDATE waited for the row; a new statement sees it.
    const now = await sql<{ failedLogins: number; lockedUntil: Date | null }>`
      SELECT failed_logins AS "failedLogins", locked_until AS "lockedUntil" FROM users WHERE id = ${userId}`.execute(db);
    const current = now.rows[0];
    const until = current?.lockedUntil ? new Date(current.lockedUntil) : null;
    if (until && until > new Date()) return { claimed: false, failedLogins: Number(current?.failedLogins), lockedUntil: until };
    if (retries > 0) return claimLoginAttempt(db, userId, threshold, lockMinutes, retries - 1);
    // Locks that keep ending and starting under this attempt: refuse it for a second rather than loop.
    return { claimed: false, failedLogins: Number(current?.failedLogins ?? row.failedLogins), lockedUntil: new Date(Date.now() + 1000) };
  }
  const lockedUntil = row.lockedUntil ? new Date(row.lockedUntil) : null;
  return { claimed: true, failedLogins: Number(row.failedLogins), lockedUntil: lockedUntil && lockedUntil <= new Date() ? null : lockedUntil };
}

/** Clears a user's failure count and lock after a successful re-authentication (sign-in uses recordLoginSuccess). */
export async function clearLoginFailures(db: Executor, userId: string): Promise<void> {
  await sql`UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ${userId}`.execute(db);
}
