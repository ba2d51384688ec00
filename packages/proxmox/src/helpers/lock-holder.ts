import { z } from 'zod';
import type { PveClient } from '../client/pve-client';
import type { CallOptions } from '../client/request-engine';
import { pathSegment } from '../util/path-segment';
import { inspectVmid, type VmidState } from '../clone/vmid-ownership';

const ZActiveTask = z.looseObject({ upid: z.string(), type: z.string(), id: z.string().optional(), node: z.string().optional() });
export type ActiveTask = z.infer<typeof ZActiveTask>;

/** A VM state whose config carries a `lock:` (a clone placeholder, a backup, a destroy…). */
export function isLocked(s: VmidState): s is Extract<VmidState, { node: string }> & { lock: string } {
  return s.state !== 'absent' && s.lock !== undefined;
}

/** The running tasks on `node` (`GET /nodes/{node}/tasks?source=active`). Read-only. */
export async function listActiveTasks(client: PveClient, node: string, opts?: CallOptions): Promise<ActiveTask[]> {
  const data = await client.request('GET', `/nodes/${pathSegment(node)}/tasks`, { source: 'active', limit: 1000 }, opts);
  return z.array(ZActiveTask).parse(data);
}

/**
 * The running task among `tasks` that may hold the config lock of `vmid`: one named after the VM
 * (start, destroy, backup, migrate…), or — for a `clone` lock — any clone, because PVE names a
 * clone task after its source VM, never after the new one. The placeholder config lives on the
 * node that runs the clone, so the tasks of the VM's node are the ones to pass.
 */
export function lockHolderAmong(tasks: readonly ActiveTask[], vmid: number, lock: string): ActiveTask | undefined {
  return tasks.find((t) => t.id === String(vmid) || (lock === 'clone' && t.type === 'qmclone'));
}

export type LockVerdict =
  /** A running task may still hold the lock: wait for it. */
  | { kind: 'live'; state: VmidState; holder: ActiveTask }
  /** No running task holds it and the VM is still locked: left by a worker that died (node crash, SIGKILL). */
  | { kind: 'abandoned'; state: VmidState & { node: string; lock: string } }
  /** The lock went away meanwhile. */
  | { kind: 'settled'; state: VmidState };

/**
 * Decides whether the lock on a VM seen locked (`seen`, from inspectVmid with `marker`) is still
 * held by a running task. The config is read again after the task list: a task removes its lock
 * before it ends, so a lock still there once no task holds it was left by a worker that died —
 * PVE never clears such a lock by itself. Read-only; safe to repeat.
 */
export async function judgeLock(
  client: PveClient,
  vmid: number,
  marker: string,
  seen: VmidState & { node: string; lock: string },
  opts?: CallOptions,
): Promise<LockVerdict> {
  const holder = lockHolderAmong(await listActiveTasks(client, seen.node, opts), vmid, seen.lock);
  if (holder) return { kind: 'live', state: seen, holder };
  const again = await inspectVmid(client, vmid, marker, opts, seen.node);
  return isLocked(again) ? { kind: 'abandoned', state: again } : { kind: 'settled', state: again };
}
