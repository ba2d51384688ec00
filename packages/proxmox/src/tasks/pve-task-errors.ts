import { classifyTaskExitStatus } from '../errors/classify-text';
import type { LocalizedText } from '../errors/bilingual';
import type { PveErrorCode } from '../errors/pve-error-code';

export type TaskLogLine = { n: number; t: string };

/**
 * A PVE task that ended with an error `exitstatus` (anything but `OK` / `WARNINGS: n`).
 * Carries the exit text and the tail of the task log for operators.
 */
export class PveTaskFailedError extends Error {
  override readonly name = 'PveTaskFailedError';
  readonly upid: string;
  readonly node: string;
  readonly taskType: string;
  readonly exitstatus: string;
  readonly logTail: readonly TaskLogLine[];
  readonly retryable: boolean;
  readonly code: PveErrorCode;

  constructor(init: { upid: string; node: string; taskType: string; exitstatus: string; logTail: TaskLogLine[] }) {
    super(`task ${init.taskType} on ${init.node} failed: ${init.exitstatus}`);
    this.upid = init.upid;
    this.node = init.node;
    this.taskType = init.taskType;
    this.exitstatus = init.exitstatus;
    this.logTail = init.logTail;
    const c = classifyTaskExitStatus(init.exitstatus);
    this.retryable = c.kind === 'transient';
    this.code = c.code;
  }

  /** A text for operators and users, in both languages. */
  describe(): LocalizedText {
    return {
      id: `Tugas Proxmox ${this.taskType} di node ${this.node} gagal: ${this.exitstatus}`,
      en: `Proxmox task ${this.taskType} on node ${this.node} failed: ${this.exitstatus}`,
    };
  }
}

/**
 * Our wait for a task ran out (deadline or AbortSignal). The task itself may still be
 * running on PVE: callers must re-query the task or the VM's state, never re-submit blindly.
 */
export class PveTaskTimeoutError extends Error {
  override readonly name = 'PveTaskTimeoutError';
  readonly upid: string;
  readonly lastStatus: string | undefined;
  readonly reason: 'deadline' | 'aborted';
  readonly retryable = true;

  constructor(upid: string, lastStatus: string | undefined, reason: 'deadline' | 'aborted') {
    super(`waiting for task ${upid} stopped (${reason}); last status: ${lastStatus ?? 'unknown'}`);
    this.upid = upid;
    this.lastStatus = lastStatus;
    this.reason = reason;
  }
}
