import { deleteExpiredSessions } from '@betang/db';
import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';

/**
 * `maintenance.purge-sessions`: deletes expired sessions. Safe to run twice: it only ever
 * deletes rows that are already expired.
 */
export function purgeSessionsJob(deps: WorkerDeps): JobHandler<'maintenance.purge-sessions'> {
  return async () => {
    const deleted = await deleteExpiredSessions(deps.db);
    if (deleted > 0) deps.logger.info({ deleted }, 'sesi kedaluwarsa dihapus / expired sessions purged');
    return { deleted };
  };
}
