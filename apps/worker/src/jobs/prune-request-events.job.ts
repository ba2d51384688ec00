import { pruneRequestEvents } from '@betang/db';
import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';
import { settingsOf } from '../settings';

/**
 * `maintenance.prune-request-events`: deletes live-status events older than
 * REQUEST_EVENTS_RETENTION_DAYS (the request, its runs, steps and audit trail stay; only the
 * SSE replay log shrinks). Safe to run twice: events already deleted are not found again, and the
 * resume watermark it records only ever rises.
 */
export function pruneRequestEventsJob(deps: WorkerDeps): JobHandler<'maintenance.prune-request-events'> {
  return async () => {
    const cutoff = new Date(Date.now() - settingsOf(deps).REQUEST_EVENTS_RETENTION_DAYS * 86_400_000);
    const result = await pruneRequestEvents(deps.db, cutoff);
    if (result.deleted > 0) deps.logger.info({ ...result, cutoff }, 'peristiwa status lama dihapus / old live-status events pruned');
    return result;
  };
}
