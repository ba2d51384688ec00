import { sql } from 'kysely';
import type { Executor } from '../database';

/**
 * Stores a reset link's secret as its hash (the caller hashes; the secret is never stored) for
 * `userId`, valid until `expiresAt`.
 */
export async function insertPasswordResetToken(db: Executor, token: { tokenHash: string; userId: string; expiresAt: Date }): Promise<void> {
  await db.insertInto('passwordResetTokens').values(token).execute();
}

/**
 * The user a reset link belongs to while it can still be used (not used, not expired), without
 * using it: the caller checks the new password first, so a refused password does not spend the link.
 */
export async function findUsablePasswordResetToken(
  db: Executor,
  tokenHash: string,
): Promise<{ userId: string; expiresAt: Date } | undefined> {
  return db
    .selectFrom('passwordResetTokens')
    .select(['userId', 'expiresAt'])
    .where('tokenHash', '=', tokenHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/**
 * Uses a reset link. Guarantees: one atomic UPDATE that succeeds only for a link not used and not
 * expired, so a link is accepted once, also when it arrives in parallel requests (the second waits
 * for the first one's row lock and then finds it used); returns the user id, or undefined when refused.
 */
export async function usePasswordResetToken(db: Executor, tokenHash: string): Promise<string | undefined> {
  const row = await db
    .updateTable('passwordResetTokens')
    .set({ usedAt: sql<Date>`now()` })
    .where('tokenHash', '=', tokenHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', sql<Date>`now()`)
    .returning('userId')
    .executeTakeFirst();
  return row?.userId;
}

/** Marks every still-usable reset link of a user used (after a reset, so older e-mails stop working); returns how many. */
export async function spendPasswordResetTokensOfUser(db: Executor, userId: string): Promise<number> {
  const result = await db
    .updateTable('passwordResetTokens')
    .set({ usedAt: sql<Date>`now()` })
    .where('userId', '=', userId)
    .where('usedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Deletes up to `limit` links that expired more than `keepSeconds` ago (the audit trail keeps who
 * asked and when). Safe to run any number of times, from any process (SKIP LOCKED).
 */
export async function prunePasswordResetTokens(db: Executor, keepSeconds = 3600, limit = 1000): Promise<number> {
  const result = await sql`
    DELETE FROM password_reset_tokens WHERE token_hash IN (
      SELECT token_hash FROM password_reset_tokens
      WHERE expires_at < now() - make_interval(secs => ${keepSeconds}::double precision)
      LIMIT ${limit} FOR UPDATE SKIP LOCKED)`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
