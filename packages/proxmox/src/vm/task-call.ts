import { z } from 'zod';
import type { PveTransport } from '../client/pve-transport';
import type { PveParams } from '../client/encode-params';
import type { CallOptions } from '../client/request-engine';
import { classifyPveError } from '../errors/classify-pve-error';
import type { HttpMethod } from '../errors/pve-api-error';
import type { TaskProgress, TaskResult } from '../tasks/wait-for-task';
import { waitForTask } from '../tasks/wait-for-task';
import { isUpid } from '../tasks/upid';
import { abortableSleep } from '../util/abortable-sleep';

/** How a task-creating call is awaited. */
export type TaskOptions = {
  /** Longest wait for the task, in ms (size it per task type: full clones need minutes). */
  deadlineMs: number;
  signal?: AbortSignal;
  onProgress?: (p: TaskProgress) => void;
};

/**
 * A task-creating call's answer: a UPID, or null where PVE does the work synchronously
 * (resize before PVE 8).
 */
const ZTaskAnswer = z.union([z.string().refine(isUpid, 'not a UPID'), z.null()]);

// `got no worker upid` means PVE's fork_worker never received the child's UPID: the child died
// before it ran anything (it waits for the parent's sync first), so re-sending is safe.
const NO_WORKER_RETRY_MS = [250, 1_000];

function callOptions(signal: AbortSignal | undefined): CallOptions | undefined {
  return signal ? { signal } : undefined;
}

/**
 * Sends a task-creating call and returns its UPID (or null for a synchronous answer). The call
 * is re-sent only after `got no worker upid` (nothing was started); any other failure, including
 * a lost answer (`PveTransportError.maybeApplied`), is thrown for the caller to re-check state.
 */
export async function startTask(
  pve: PveTransport,
  method: HttpMethod,
  path: string,
  params: PveParams | undefined,
  signal?: AbortSignal,
): Promise<string | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      return ZTaskAnswer.parse(await pve.request(method, path, params, callOptions(signal)));
    } catch (err) {
      const pause = NO_WORKER_RETRY_MS[attempt];
      if (pause === undefined || classifyPveError(err).code !== 'no-worker') throw err;
      await abortableSleep(pause, signal);
    }
  }
}

/** startTask, then waits for the task (OK or `WARNINGS: n`); resolves undefined for a synchronous answer. */
export async function runTask(
  pve: PveTransport,
  method: HttpMethod,
  path: string,
  params: PveParams | undefined,
  task: TaskOptions,
): Promise<TaskResult | undefined> {
  const upid = await startTask(pve, method, path, params, task.signal);
  if (upid === null) return undefined;
  return waitForTask(pve, upid, {
    deadlineMs: task.deadlineMs,
    ...(task.signal ? { signal: task.signal } : {}),
    ...(task.onProgress ? { onProgress: task.onProgress } : {}),
  });
}
