import { z } from 'zod';
import type { CallOptions } from '../client/request-engine';
import type { PveTransport } from '../client/pve-transport';
import type { TaskLogLine } from './pve-task-errors';
import { ZTaskLogLine } from './task-status.schema';
import { pathSegment } from '../util/path-segment';

const ZLog = z.array(ZTaskLogLine);

function logPath(node: string, upid: string): string {
  return `/nodes/${pathSegment(node)}/tasks/${pathSegment(upid)}/log`;
}

/** Reads task log lines from `start` (0-based), at most `limit`. Read-only; safe to repeat. */
export async function readTaskLog(
  client: PveTransport,
  node: string,
  upid: string,
  start: number,
  limit: number,
  opts?: CallOptions,
): Promise<{ lines: TaskLogLine[]; total: number | undefined }> {
  const env = await client.requestEnvelope('GET', logPath(node, upid), { start, limit }, opts);
  const lines = ZLog.parse(env.data);
  return { lines, total: env.total };
}

/**
 * The last `count` lines of a task log (uses the envelope's `total`; falls back to the
 * first page when a server omits it). Read-only; safe to repeat.
 */
export async function readTaskLogTail(
  client: PveTransport,
  node: string,
  upid: string,
  count: number,
  opts?: CallOptions,
): Promise<TaskLogLine[]> {
  const probe = await readTaskLog(client, node, upid, 0, 1, opts);
  if (probe.total === undefined) return (await readTaskLog(client, node, upid, 0, count, opts)).lines;
  const start = Math.max(0, probe.total - count);
  return (await readTaskLog(client, node, upid, start, count, opts)).lines;
}
