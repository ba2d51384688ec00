import { sql } from 'kysely';
import type { Executor } from '../database';

/** What changed (the migration 20261127T2300_request_events lists the triggers writing each). */
export type RequestEventKind = 'request.status' | 'approval' | 'run' | 'run.step' | 'vm' | 'address';

/** One change of a request, as written by the database's triggers; `id` orders events in commit order. */
export type RequestEventRow = { id: number; requestId: string; kind: RequestEventKind; data: Record<string, unknown>; at: Date };

/**
 * A request's events after `afterId`, oldest first, at most `limit`.
 * Guarantees: ids are visible in commit order (the triggers draw them under a lock held to
 * commit), so paging by "last id seen" never skips an event.
 */
export async function listRequestEventsAfter(db: Executor, requestId: string, afterId: number, limit = 500): Promise<RequestEventRow[]> {
  return (await db
    .selectFrom('requestEvents')
    .select(['id', 'requestId', 'kind', 'data', 'at'])
    .where('requestId', '=', requestId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute()) as RequestEventRow[];
}

/**
 * Events of the given kinds after `afterId`, of one institution's requests (`institutionId` null:
 * of every institution), in id order, at most `limit`. Feeds the VM-list stream; ids are commit
 * order (see the migration), so "after the last id sent" never skips one.
 */
export async function listScopedEventsAfter(
  db: Executor,
  institutionId: string | null,
  kinds: readonly string[],
  afterId: number,
  limit = 500,
): Promise<RequestEventRow[]> {
  let q = db
    .selectFrom('requestEvents as e')
    .innerJoin('vpsRequests as r', 'r.id', 'e.requestId')
    .select(['e.id', 'e.requestId', 'e.kind', 'e.data', 'e.at'])
    .where('e.id', '>', afterId)
    .where('e.kind', 'in', [...kinds])
    .orderBy('e.id')
    .limit(limit);
  if (institutionId !== null) q = q.where('r.institutionId', '=', institutionId);
  return (await q.execute()) as RequestEventRow[];
}

/** The id of a request's newest event, or 0 when it has none. */
export async function latestRequestEventId(db: Executor, requestId: string): Promise<number> {
  const row = await db
    .selectFrom('requestEvents')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('requestId', '=', requestId)
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** The newest event id of all requests, or 0 (one index probe: used by the fallback poll). */
export async function latestEventId(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('requestEvents')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** The requests that have events with ids in (afterId, upToId]; a range scan of the primary key. */
export async function requestsWithEventsBetween(db: Executor, afterId: number, upToId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('requestEvents')
    .select('requestId')
    .distinct()
    .where('id', '>', afterId)
    .where('id', '<=', upToId)
    .execute();
  return rows.map((r) => r.requestId);
}

/** Settings key holding the highest event id ever pruned (0 when nothing was). */
const PRUNED_THROUGH_KEY = 'request_events_pruned_through';

/**
 * Deletes every event written before `cutoff`, in id batches, and records the highest id deleted
 * as the pruning watermark (never lowered). Ids follow commit order, so "everything up to the
 * newest id older than the cutoff" is one contiguous range and a resume position below the
 * watermark is known to have lost events. Safe to run twice: a second run finds nothing older.
 */
export async function pruneRequestEvents(db: Executor, cutoff: Date, batch = 10_000): Promise<{ deleted: number; prunedThrough: number }> {
  const newestOld = await db
    .selectFrom('requestEvents')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('at', '<', cutoff)
    .executeTakeFirst();
  const through = Number(newestOld?.id ?? 0);
  let deleted = 0;
  if (through > 0) {
    for (;;) {
      const result = await db
        .deleteFrom('requestEvents')
        .where('id', 'in', (eb) => eb.selectFrom('requestEvents').select('id').where('id', '<=', through).orderBy('id').limit(batch))
        .executeTakeFirst();
      const n = Number(result.numDeletedRows);
      deleted += n;
      if (n < batch) break;
    }
    await db
      .insertInto('settings')
      .values({ key: PRUNED_THROUGH_KEY, value: JSON.stringify(through), updatedBy: null, updatedAt: new Date() })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({ value: sql`to_jsonb(greatest((settings.value)::bigint, ${through}))`, updatedAt: new Date() }),
      )
      .execute();
  }
  return { deleted, prunedThrough: await requestEventsPrunedThrough(db) };
}

/** The pruning watermark: events with ids up to it may be gone (0 when nothing was pruned). */
export async function requestEventsPrunedThrough(db: Executor): Promise<number> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', PRUNED_THROUGH_KEY).executeTakeFirst();
  return row ? Number(row.value) : 0;
}
