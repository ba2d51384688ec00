import type { PveTransport } from '../client/pve-transport';
import { classifyPveError } from '../errors/classify-pve-error';
import { PveApiError } from '../errors/pve-api-error';
import { abortableSleep } from '../util/abortable-sleep';
import { pathSegment } from '../util/path-segment';
import { PveTaskFailedError, PveTaskTimeoutError } from './pve-task-errors';
import type { TaskLogLine } from './pve-task-errors';
import { readTaskLog, readTaskLogTail } from './task-log';
import type { TaskStatus } from './task-status.schema';
import { exitStatusOutcome, ZTaskStatus } from './task-status.schema';
import { parseUpid } from './upid';
import type { PollCadence } from './poll-cadence';
import { nextPollDelay, taskDurations, TYPICAL_TASK_MS } from './poll-cadence';

export type TaskProgress = {
  upid: string;
  status: 'running' | 'stopped';
  elapsedMs: number;
  /** New log lines since the previous report. */
  lines: TaskLogLine[];
  /** Last `(NN.NN%)` seen in the log (clone/resize copy progress), 0–100. */
  percent?: number;
};

export type WaitForTaskOptions = {
  /** Longest time to wait, in ms from the call (size it per task type: full clones need minutes). */
  deadlineMs: number;
  signal?: AbortSignal;
  /** Called after every poll; when set, new log lines are read incrementally too. */
  onProgress?: (p: TaskProgress) => void;
  /**
   * When the task is expected to end, in ms from the call. Default: this process's running
   * estimate for the task's type, seeded by TYPICAL_TASK_MS; a type without either is polled
   * with a plain backoff (minPollMs ×1.5 per poll up to maxPollMs).
   */
  expectedMs?: number;
  /** Shortest interval (default 200 ms with an expectation, 250 ms for the plain backoff). */
  minPollMs?: number;
  /** Longest interval (default 5 s before the expected end, 2 s after it and for the plain backoff). */
  maxPollMs?: number;
  /** Log lines attached to PveTaskFailedError (default 20). */
  logTailLines?: number;
  /** Window after which `no such task` is no longer treated as "not visible yet" (default 10 s). */
  unknownTaskGraceMs?: number;
};

export type TaskResult = { upid: string; node: string; exitstatus: string; warnings: number; status: TaskStatus };

const PERCENT = /\((\d{1,3}(?:\.\d+)?)%\)/;

function isNoSuchTask(err: unknown): boolean {
  return (
    err instanceof PveApiError &&
    err.status === 400 &&
    /no such task/i.test(`${err.message}\n${Object.values(err.errors ?? {}).join('\n')}`)
  );
}

/** From this expected duration on, the early looks start at an eighth of it, not a quarter. */
const LONG_TASK_MS = 4_000;

/**
 * How often a task is polled: steady near its expected end, at most 1 s apart there (a twentieth
 * of the expected duration, at least minPollMs), long sleeps before, a growing interval once it
 * overruns. Undefined when nothing is known about the task type's duration.
 */
function taskCadence(type: string, o: WaitForTaskOptions): PollCadence | undefined {
  const expectedMs = o.expectedMs ?? taskDurations.get(type, TYPICAL_TASK_MS[type]);
  if (expectedMs === undefined) return undefined;
  const minMs = o.minPollMs ?? 200;
  return {
    expectedMs,
    nearMs: Math.min(1_000, Math.max(minMs, expectedMs / 20)),
    windowOpens: 0.75,
    windowCloses: 1.5,
    // The expectation may be far off (a smaller disk, a faster cluster): look early too.
    firstMs: expectedMs >= LONG_TASK_MS ? expectedMs / 8 : expectedMs / 4,
    minMs,
    farMaxMs: o.maxPollMs ?? 5_000,
    lateMaxMs: o.maxPollMs ?? 2_000,
  };
}

/**
 * Waits until a PVE task stops, polling the node named *in the UPID* (never a guessed node)
 * at a cadence that follows the task's expected duration (taskCadence). Resolves for `OK` and `WARNINGS: n`; throws PveTaskFailedError (exit text +
 * log tail) for anything else, PveTaskTimeoutError when the deadline passes or the signal
 * aborts (the task may still run — re-query, do not re-submit). Transient poll errors
 * (network, 5xx, proxy 595/596, `no such task` right after creation) are retried within
 * the deadline; permanent ones (401/403, bad UPID) are thrown. Read-only: safe to call again
 * for the same UPID, e.g. after a worker restart.
 */
export async function waitForTask(client: PveTransport, upid: string, options: WaitForTaskOptions): Promise<TaskResult> {
  const { node, type, starttime } = parseUpid(upid);
  const started = Date.now();
  const cadence = taskCadence(type, options);
  // Only a wait that began with the task measures its duration (not a re-await after a restart).
  const fromTheStart = Math.abs(started / 1000 - starttime) < 3;
  const deadlineAt = started + options.deadlineMs;
  const minPoll = options.minPollMs ?? 250;
  const maxPoll = options.maxPollMs ?? 2_000;
  const grace = options.unknownTaskGraceMs ?? 10_000;
  const statusPath = `/nodes/${pathSegment(node)}/tasks/${pathSegment(upid)}/status`;
  let delay = minPoll;
  let lastStatus: string | undefined;
  let logCursor = 0;
  let percent: number | undefined;

  for (;;) {
    const remaining = deadlineAt - Date.now();
    if (options.signal?.aborted) throw new PveTaskTimeoutError(upid, lastStatus, 'aborted');
    if (remaining <= 0) throw new PveTaskTimeoutError(upid, lastStatus, 'deadline');
    const callOpts = { timeoutMs: Math.max(1, Math.min(remaining, 30_000)), ...(options.signal ? { signal: options.signal } : {}) };
    let status: TaskStatus | undefined;
    try {
      status = ZTaskStatus.parse(await client.request('GET', statusPath, undefined, callOpts));
      lastStatus = status.status;
    } catch (err) {
      if (options.signal?.aborted) throw new PveTaskTimeoutError(upid, lastStatus, 'aborted');
      const visibleYet = isNoSuchTask(err) && Date.now() - started < grace;
      if (!visibleYet && classifyPveError(err).kind === 'permanent') throw err;
    }
    if (status && options.onProgress) {
      let lines: TaskLogLine[] = [];
      try {
        lines = (await readTaskLog(client, node, upid, logCursor, 50, callOpts)).lines.filter((l) => l.t !== 'no content');
        logCursor += lines.length;
        for (const l of lines) {
          const m = PERCENT.exec(l.t);
          if (m) percent = Math.min(100, Number(m[1]));
        }
      } catch {
        // Progress is best effort; the status poll decides the outcome.
      }
      options.onProgress({
        upid,
        status: status.status,
        elapsedMs: Date.now() - started,
        lines,
        ...(percent === undefined ? {} : { percent }),
      });
    }
    if (status?.status === 'stopped') {
      const exit = status.exitstatus ?? 'unexpected status';
      const outcome = exitStatusOutcome(exit);
      if (outcome.ok) {
        if (fromTheStart) taskDurations.observe(type, Date.now() - started, TYPICAL_TASK_MS[type]);
        return { upid, node, exitstatus: exit, warnings: outcome.warnings, status };
      }
      let logTail: TaskLogLine[] = [];
      try {
        logTail = await readTaskLogTail(client, node, upid, options.logTailLines ?? 20, callOpts);
      } catch {
        // The failure itself matters more than its log; report it without the tail.
      }
      throw new PveTaskFailedError({ upid, node, taskType: status.type ?? parseUpid(upid).type, exitstatus: exit, logTail });
    }
    const wait = cadence ? nextPollDelay(Date.now() - started, cadence) : delay;
    const sleepFor = Math.min(wait, Math.max(0, deadlineAt - Date.now()));
    try {
      await abortableSleep(sleepFor, options.signal);
    } catch {
      throw new PveTaskTimeoutError(upid, lastStatus, 'aborted');
    }
    delay = Math.min(maxPoll, Math.round(delay * 1.5));
  }
}
