import type { PveTransport } from '../client/pve-transport';
import type { CallOptions } from '../client/request-engine';
import { pathSegment } from '../util/path-segment';
import { PveTaskFailedError } from './pve-task-errors';
import { exitStatusOutcome, ZTaskStatus } from './task-status.schema';
import { parseUpid } from './upid';

/** Where a task is now: still running, or ended OK (with its start, epoch seconds). */
export type TaskState = { running: true } | { running: false; starttime: number };

/**
 * One read of `GET /nodes/{node}/tasks/{upid}/status`, never waiting: `running`, the start of a
 * task that ended OK (or with warnings), or PveTaskFailedError for one that ended in error. For
 * callers that come back later instead of holding a worker while the task runs. Read-only.
 */
export async function readTaskState(pve: PveTransport, upid: string, opts?: CallOptions): Promise<TaskState> {
  const { node, type } = parseUpid(upid);
  const status = ZTaskStatus.parse(
    await pve.request('GET', `/nodes/${pathSegment(node)}/tasks/${pathSegment(upid)}/status`, undefined, opts),
  );
  if (status.status !== 'stopped') return { running: true };
  const exit = status.exitstatus ?? 'unexpected status';
  if (!exitStatusOutcome(exit).ok)
    throw new PveTaskFailedError({ upid, node, taskType: status.type ?? type, exitstatus: exit, logTail: [] });
  return { running: false, starttime: status.starttime ?? 0 };
}
