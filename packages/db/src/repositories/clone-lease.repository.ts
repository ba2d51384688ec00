import { sql } from 'kysely';
import type { Db, Executor } from '../database';
import { lockForTransaction } from '../advisory-lock';

/** Advisory lock serialising the count-and-take of one node's clone leases across every process. */
function nodeLock(node: string): string {
  return `betang:clone-lease:${node}`;
}

const secs = (ms: number) => Math.max(0, ms) / 1000;

/**
 * Takes one of `limit` clone leases of `node` for `runId`, valid `ttlMs` (database clock), or
 * returns false when the node's live leases of other holders already reach the limit. Counted
 * under the node's advisory transaction lock, so two processes never both take the last lease.
 * Expired leases are deleted on the way. Safe to repeat: a holder that already has a lease keeps
 * it (moved to `node`, its expiry never shortened), never counted twice.
 */
export async function takeCloneLease(db: Db, node: string, runId: string, limit: number, ttlMs: number): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await lockForTransaction(tx, nodeLock(node));
    await tx
      .deleteFrom('cloneLeases')
      .where('expiresAt', '<=', sql<Date>`clock_timestamp()`)
      .execute();
    const row = await tx
      .selectFrom('cloneLeases')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('node', '=', node)
      .where('runId', '!=', runId)
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= limit) return false;
    const until = sql<Date>`clock_timestamp() + make_interval(secs => ${secs(ttlMs)})`;
    await tx
      .insertInto('cloneLeases')
      .values({ runId, node, expiresAt: until })
      .onConflict((oc) => oc.column('runId').doUpdateSet({ node, expiresAt: sql<Date>`greatest(clone_leases.expires_at, ${until})` }))
      .execute();
    return true;
  });
}

/**
 * Extends `runId`'s lease to at least `untilMs` (epoch ms) plus `marginMs` and records the UPID
 * of its copy when given. Returns false when the run holds no lease (it expired and was deleted):
 * the caller must take one again before relying on it. Never shortens a lease.
 */
export async function renewCloneLease(
  db: Executor,
  runId: string,
  o: { untilMs?: number; marginMs: number; upid?: string },
): Promise<boolean> {
  const from =
    o.untilMs === undefined
      ? sql<Date>`clock_timestamp()`
      : sql<Date>`greatest(clock_timestamp(), ${new Date(o.untilMs).toISOString()}::timestamptz)`;
  const result = await db
    .updateTable('cloneLeases')
    .set({
      expiresAt: sql<Date>`greatest(expires_at, ${from} + make_interval(secs => ${secs(o.marginMs)}))`,
      ...(o.upid ? { upid: o.upid } : {}),
    })
    .where('runId', '=', runId)
    .where('expiresAt', '>', sql<Date>`clock_timestamp()`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes `runId`'s clone lease (its copy ended, or the run failed). Idempotent. */
export async function releaseCloneLease(db: Executor, runId: string): Promise<void> {
  await db.deleteFrom('cloneLeases').where('runId', '=', runId).execute();
}

/** Live clone leases of `node` (read without the lock: a view, not a decision). */
export async function liveCloneLeases(db: Executor, node: string): Promise<Array<{ runId: string; upid: string | null }>> {
  return db
    .selectFrom('cloneLeases')
    .select(['runId', 'upid'])
    .where('node', '=', node)
    .where('expiresAt', '>', sql<Date>`clock_timestamp()`)
    .orderBy('takenAt')
    .orderBy('runId')
    .execute();
}
