import type { VpsRequestDto } from '@betang/core';
import { findVpsRequest, latestRequestEventId, type Db } from '@betang/db';
import { loadRequestView } from '../use-cases/vps-requests/request-view';

/** The whole request plus the id of the newest event already reflected in it. */
type RequestSnapshot = { view: VpsRequestDto; lastEventId: number };

/**
 * Reads the request view and its newest event id in one REPEATABLE READ snapshot. Guarantees:
 * every change with an id ≤ lastEventId is in the view and every later one is not (ids are
 * drawn at commit under a lock), so streaming from lastEventId neither loses nor repeats a change.
 */
export async function loadRequestSnapshot(db: Db, requestId: string): Promise<RequestSnapshot | undefined> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (tx) => {
      const request = await findVpsRequest(tx, requestId);
      if (!request) return undefined;
      const [view, lastEventId] = await Promise.all([loadRequestView(tx, request), latestRequestEventId(tx, requestId)]);
      return { view, lastEventId };
    });
}
