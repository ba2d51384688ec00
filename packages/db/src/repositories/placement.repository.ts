import { sql, type RawBuilder } from 'kysely';
import type { Db, Executor } from '../database';
import { lockForTransaction } from '../advisory-lock';

/** Name of the advisory lock serialising placement (choice + hold) across every worker instance. */
const PLACEMENT_LOCK = 'betang:placement';

/** A VM placed on a node whose memory and disk PVE's numbers may not show yet. */
export type PlacementHold = { node: string; storage: string | null; memoryBytes: number; diskBytes: number };

/** "Now" for the ledger: the database clock unless a test gives its own (epoch milliseconds). */
export type LedgerClock = (() => number) | undefined;

function nowSql(clock: LedgerClock): RawBuilder<Date> {
  return clock ? sql<Date>`${new Date(clock()).toISOString()}::timestamptz` : sql<Date>`clock_timestamp()`;
}

/**
 * Runs `decide` with every unexpired hold except `exceptRunId`'s, under the cluster-wide
 * placement lock, and records the hold it returns for `runId` (replacing the run's earlier one) in
 * the same transaction. Two workers therefore never decide from the same picture: the second
 * waits and sees the first's hold. Expired holds are deleted on the way. `decide` must be quick
 * and must not call PVE (the lock is held meanwhile). Safe to repeat for a run: its hold is
 * replaced, never doubled.
 */
export async function placeUnderLock<T>(
  db: Db,
  runId: string,
  holdMs: number,
  decide: (inFlight: PlacementHold[]) => { hold: PlacementHold | null; value: T },
  clock?: LedgerClock,
): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await lockForTransaction(tx, PLACEMENT_LOCK);
    const now = nowSql(clock);
    await tx.deleteFrom('placementHolds').where('holdUntil', '<=', now).execute();
    const rows = await tx
      .selectFrom('placementHolds')
      .select(['node', 'storage', 'memoryBytes', 'diskBytes'])
      .where('runId', '!=', runId)
      .orderBy('placedAt')
      .orderBy('runId')
      .execute();
    const { hold, value } = decide(rows);
    if (hold) {
      const until = sql<Date>`${now} + make_interval(secs => ${holdMs / 1000})`;
      await tx
        .insertInto('placementHolds')
        .values({ runId, ...hold, placedAt: now, holdUntil: until })
        .onConflict((oc) => oc.column('runId').doUpdateSet({ ...hold, placedAt: now, holdUntil: until }))
        .execute();
    }
    return value;
  });
}

/** Unexpired holds except `exceptRunId`'s, oldest first (read without the lock: a view, not a decision). */
export async function placementHolds(db: Executor, exceptRunId?: string, clock?: LedgerClock): Promise<PlacementHold[]> {
  let q = db.selectFrom('placementHolds').select(['node', 'storage', 'memoryBytes', 'diskBytes']).where('holdUntil', '>', nowSql(clock));
  if (exceptRunId) q = q.where('runId', '!=', exceptRunId);
  return q.orderBy('placedAt').orderBy('runId').execute();
}

/** Shortens a run's hold to at most `graceMs` from now (its VM started). Idempotent; no hold, no-op. */
export async function shortenPlacementHold(db: Executor, runId: string, graceMs: number, clock?: LedgerClock): Promise<void> {
  await db
    .updateTable('placementHolds')
    .set({ holdUntil: sql<Date>`least(hold_until, ${nowSql(clock)} + make_interval(secs => ${graceMs / 1000}))` })
    .where('runId', '=', runId)
    .execute();
}

/** Deletes a run's hold (failed or cleaned up). Idempotent. */
export async function releasePlacementHold(db: Executor, runId: string): Promise<void> {
  await db.deleteFrom('placementHolds').where('runId', '=', runId).execute();
}

/** Deletes every hold (tests). */
export async function clearPlacementHolds(db: Executor): Promise<void> {
  await db.deleteFrom('placementHolds').execute();
}
