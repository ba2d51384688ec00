import type { ClusterState } from '../state/cluster-state';
import type { SimClock } from '../util/clock';
import type { Rng } from '../util/rng';
import { formatUpid } from './upid';

/** Who started a task (token tasks carry `user@realm!tokenid`). */
export interface TaskOwner {
  user: string;
  tokenid?: string;
}

/** A task as the simulator stores it. */
export interface SimTask {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  owner: TaskOwner;
  status: 'running' | 'stopped';
  exitstatus?: string;
  endtime?: number;
  /** Wall-clock ms when it stopped; PVE keeps only `endtime` seconds, harnesses measure how late a client noticed. */
  endedAtMs?: number;
  log: string[];
  warnings: number;
  /** Set by DELETE /tasks/{upid}; the body dies at its next sleep. */
  aborted?: boolean;
}

/** Thrown inside a task body to end it without a TASK line (worker killed hard). */
export class TaskKilled extends Error {}

/** What a task body may do. */
export interface TaskContext {
  readonly task: SimTask;
  log(line: string): void;
  warn(line: string): void;
  /** Sleeps a realistic duration (scaled, ±20 % jitter, × slow-task multiplier). */
  sleep(ms: number): Promise<void>;
}

/** Creates, runs and remembers tasks; the one place that writes TASK OK/WARNINGS/ERROR. */
export class TaskManager {
  readonly tasks = new Map<string, SimTask>();
  /** Multiplier per task type (fault: slow tasks); key '*' applies to all. */
  readonly slow = new Map<string, number>();

  constructor(
    private readonly state: ClusterState,
    private readonly clock: SimClock,
    private readonly rng: Rng,
  ) {}

  /**
   * Starts a worker on `node` and returns its UPID at once; the body runs on a later tick.
   * Guarantees the task ends `stopped` with exactly one exit status.
   */
  start(node: string, type: string, id: string, owner: TaskOwner, body: (ctx: TaskContext) => Promise<void>): string {
    const n = this.state.node(node);
    const nowMs = this.clock.now();
    const pid = n.nextPid;
    n.nextPid += this.rng.int(1, 40);
    const userField = owner.tokenid ? `${owner.user}!${owner.tokenid}` : owner.user;
    const fields = {
      node,
      pid,
      pstart: Math.floor(((nowMs - n.bootTime) / 1000) * 100),
      starttime: Math.floor(nowMs / 1000),
      type,
      id,
      user: userField,
    };
    const task: SimTask = { ...fields, upid: formatUpid(fields), owner, status: 'running', log: [], warnings: 0 };
    this.tasks.set(task.upid, task);
    const ctx: TaskContext = {
      task,
      log: (l) => task.log.push(l),
      warn: (l) => {
        task.warnings++;
        task.log.push(`WARN: ${l}`);
      },
      sleep: async (ms) => {
        const mult = this.slow.get(type) ?? this.slow.get('*') ?? 1;
        await this.clock.sleep(ms * mult * (0.8 + 0.4 * this.rng.next()));
        if (task.aborted) throw new Error('interrupted by signal');
      },
    };
    const finish = (exit: string, line: string | undefined): void => {
      if (line !== undefined) task.log.push(line);
      task.exitstatus = exit;
      task.status = 'stopped';
      task.endedAtMs = this.clock.now();
      task.endtime = Math.floor(task.endedAtMs / 1000);
    };
    setImmediate(() => {
      body(ctx).then(
        () => {
          if (task.warnings > 0) finish(`WARNINGS: ${task.warnings}`, `TASK WARNINGS: ${task.warnings}`);
          else finish('OK', 'TASK OK');
        },
        (err: unknown) => {
          if (err instanceof TaskKilled) return finish('unexpected status', undefined);
          const msg = (err instanceof Error ? err.message : String(err)).replace(/\n+$/, '').replace(/\n/g, ' ');
          finish(msg, `TASK ERROR: ${msg}`);
        },
      );
    });
    return task.upid;
  }
}
