import { sql } from 'kysely';
import type { Executor } from '../database';

/** One fixed-window counter after a hit: how many hits this window holds and when it ends. */
type RateLimitBucket = { hits: number; resetAt: Date };

/**
 * Counts one hit on `key` in a fixed window of `windowSeconds`, atomically (one upsert, safe
 * under any number of API instances). Guarantees: a key whose window has ended starts a new
 * window with 1 hit; otherwise the count grows by one and the window end is kept. Time is the
 * database's clock, so instances with skewed clocks agree.
 */
export async function hitRateLimitBucket(db: Executor, key: string, windowSeconds: number): Promise<RateLimitBucket> {
  const result = await sql<{ hits: number; resetAt: Date }>`
    INSERT INTO rate_limit_buckets AS b (key, hits, reset_at)
    VALUES (${key}, 1, now() + make_interval(secs => ${windowSeconds}))
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN b.reset_at <= now() THEN 1 ELSE b.hits + 1 END,
      reset_at = CASE WHEN b.reset_at <= now() THEN excluded.reset_at ELSE b.reset_at END
    RETURNING hits, reset_at AS "resetAt"
  `.execute(db);
  const row = result.rows[0]!;
  return { hits: Number(row.hits), resetAt: new Date(row.resetAt) };
}

/** Deletes up to `limit` buckets whose window ended before now; returns how many went. */
export async function pruneRateLimitBuckets(db: Executor, limit = 5000): Promise<number> {
  const result = await sql`
    DELETE FROM rate_limit_buckets WHERE key IN (
      SELECT key FROM rate_limit_buckets WHERE reset_at <= now() LIMIT ${limit} FOR UPDATE SKIP LOCKED
    )
  `.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
