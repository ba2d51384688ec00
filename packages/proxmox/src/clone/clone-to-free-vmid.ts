import type { PveClient } from '../client/pve-client';
import { classifyPveError } from '../errors/classify-pve-error';
import { CloneOutcomeUnknownError } from '../errors/clone-outcome-unknown-error';
import { PveTransportError } from '../errors/pve-transport-error';
import { PveTaskFailedError } from '../tasks/pve-task-errors';
import type { TaskProgress } from '../tasks/wait-for-task';
import { waitForTask } from '../tasks/wait-for-task';
import { vmClient } from '../vm/vm-client';
import type { VmConfig } from '../wire/vm.schema';
import { nextFreeVmid } from './next-free-vmid';
import type { VmidState } from './vmid-ownership';
import { assertOwnerMarker, inspectVmid, waitUntilSettled } from './vmid-ownership';

export type CloneToFreeVmidOptions = {
  /** Node holding the template (the clone request goes there). */
  node: string;
  /**
   * Node the new VM should live on when it is not the template's node (PVE's `target`; allowed
   * only when the template's disks are on shared storage).
   */
  target?: string;
  templateVmid: number;
  /** Betang's vmid range and ids to avoid. */
  range: { min: number; max: number };
  exclude?: Iterable<number>;
  /** Id reserved for this run (tried first; re-pass it when retrying after CloneOutcomeUnknownError). */
  preferredVmid?: number;
  /**
   * The caller confirmed `preferredVmid` free moments ago in this same attempt (nextFreeVmid),
   * so no clone of this owner can be there: skip the adopt-check before cloning (a VM that
   * appeared since still fails the clone the real way and the next id is tried). Never set it
   * after a retry or restart, when an earlier attempt's clone may exist.
   */
  preferredKnownFree?: boolean;
  /** Unique per provisioning run; written as its own line of the VM description. */
  ownerMarker: string;
  name?: string;
  description?: string;
  /** Full clone (default true: customer VMs must not depend on the template). */
  full?: boolean;
  storage?: string;
  pool?: string;
  /** Budget for each clone task (full clones need minutes). */
  taskDeadlineMs: number;
  /** After a clone POST got no answer: how long an absent VM may take to appear (default 5 s). */
  lostAnswerGraceMs?: number;
  maxAttempts?: number;
  /**
   * `wait` (default): a locked id (a clone still writing it) is waited for up to
   * `taskDeadlineMs`. `skip`: a locked id is given up at once and the next free one tried — for
   * callers that waited out live locks beforehand and must not wait while holding a clone slot.
   */
  lockedVmid?: 'wait' | 'skip';
  /**
   * Return as soon as PVE accepted the clone (`running: true` with its UPID) instead of waiting
   * for the copy: for callers that look at the task later (a parked run). They then own what
   * waiting would have done here: a lost id (the task failing on `lock-N.conf`) and the settle.
   */
  detach?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: TaskProgress) => void;
  /** Told about every id lost to someone else (to release it in Postgres, log it). */
  onVmidLost?: (vmid: number, reason: string) => void;
};

export type CloneToFreeVmidResult = {
  vmid: number;
  node: string;
  upid?: string;
  adopted: boolean;
  attempts: number;
  lost: number[];
  /** The VM's config as read when it was found settled (callers may use it within the same attempt). */
  config?: VmConfig;
  /** `detach`: PVE is still copying; `upid` is the clone task to look at. */
  running?: true;
};

/** Both ways PVE reports that another clone got the id first (reference §0.3, §4.4). */
export function lostRace(err: unknown, vmid: number): boolean {
  const c = classifyPveError(err);
  if (c.code === 'already-exists') return true;
  return err instanceof PveTaskFailedError && c.code === 'lock-timeout' && err.exitstatus.includes(`lock-${vmid}.conf`);
}

/**
 * Clones `templateVmid` to a free vmid in Betang's range, surviving races with other
 * workers and its own retries. Idempotent per `ownerMarker`:
 * - a vmid whose config carries the marker is adopted, never cloned twice;
 * - a vmid lost to another owner (sync `config file already exists`, in-task
 *   `can't lock file ... lock-N.conf - got timeout`) is skipped and the next free id tried;
 * - a POST without answer is never re-sent: the id is inspected and adopted if our clone
 *   appears; otherwise CloneOutcomeUnknownError names the id to re-check on retry.
 * Other failures (storage lock timeouts, permissions, missing template) are thrown as is.
 */
export async function cloneToFreeVmid(client: PveClient, o: CloneToFreeVmidOptions): Promise<CloneToFreeVmidResult> {
  assertOwnerMarker(o.ownerMarker);
  const exclude = new Set<number>(o.exclude ?? []);
  const lost: number[] = [];
  const maxAttempts = o.maxAttempts ?? 5;
  const settle = (vmid: number, nodeHint?: string): Promise<VmidState> =>
    waitUntilSettled(client, vmid, o.ownerMarker, o.taskDeadlineMs, o.signal, 0, nodeHint);
  const lose = (vmid: number, reason: string): void => {
    exclude.add(vmid);
    lost.push(vmid);
    o.onVmidLost?.(vmid, reason);
  };
  let preferred = o.preferredVmid;
  const template = vmClient(client, o.node, o.templateVmid);

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let vmid: number;
    if (preferred !== undefined && !exclude.has(preferred)) {
      vmid = preferred;
      preferred = undefined;
      const s =
        o.preferredKnownFree && attempt === 1
          ? ({ state: 'absent' } as const)
          : await inspectVmid(client, vmid, o.ownerMarker, o.signal ? { signal: o.signal } : undefined);
      const locked = s.state === 'pending' || (s.state === 'ours' && s.lock);
      const settled = locked && o.lockedVmid !== 'skip' ? await settle(vmid) : s;
      if (settled.state === 'ours' && !settled.lock) return { vmid, node: settled.node, adopted: true, attempts: attempt, lost };
      if (settled.state !== 'absent') {
        lose(vmid, `vmid ${vmid} is ${settled.state}${settled.lock ? ` (lock: ${settled.lock})` : ''}`);
        continue;
      }
    } else {
      vmid = await nextFreeVmid(client, { ...o.range, exclude, ...(o.signal ? { signal: o.signal } : {}) });
    }
    const description = [o.description, o.ownerMarker].filter((x) => x !== undefined && x.length > 0).join('\n');
    let upid: string;
    try {
      upid = await template.clone(
        {
          newid: vmid,
          description,
          full: o.full ?? true,
          ...(o.name === undefined ? {} : { name: o.name }),
          ...(o.storage === undefined ? {} : { storage: o.storage }),
          ...(o.pool === undefined ? {} : { pool: o.pool }),
          ...(o.target === undefined ? {} : { target: o.target }),
        },
        o.signal ? { signal: o.signal } : undefined,
      );
    } catch (err) {
      if (err instanceof PveTransportError && err.maybeApplied) {
        const s = await waitUntilSettled(client, vmid, o.ownerMarker, o.taskDeadlineMs, o.signal, o.lostAnswerGraceMs ?? 5_000);
        if (s.state === 'ours' && !s.lock) return { vmid, node: s.node, adopted: true, attempts: attempt, lost };
        throw new CloneOutcomeUnknownError(vmid, err);
      }
      if (!lostRace(err, vmid)) throw err;
      // A locked VM without our marker is another worker's clone in flight: move on at once.
      const seen = await inspectVmid(client, vmid, o.ownerMarker, o.signal ? { signal: o.signal } : undefined);
      const s = seen.state === 'ours' && seen.lock && o.lockedVmid !== 'skip' ? await settle(vmid) : seen;
      if (s.state === 'ours' && !s.lock) return { vmid, node: s.node, adopted: true, attempts: attempt, lost };
      lose(vmid, err instanceof Error ? err.message : String(err));
      continue;
    }
    if (o.detach) return { vmid, node: o.target ?? o.node, upid, adopted: false, attempts: attempt, lost, running: true };
    try {
      await waitForTask(client, upid, {
        deadlineMs: o.taskDeadlineMs,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      });
    } catch (err) {
      if (!lostRace(err, vmid)) throw err;
      lose(vmid, err instanceof Error ? err.message : String(err));
      continue;
    }
    // The VM is where the clone put it: read its config there (no cluster list needed).
    const s = await settle(vmid, o.target ?? o.node);
    if (s.state === 'ours' && !s.lock)
      return { vmid, node: s.node, upid, adopted: false, attempts: attempt, lost, ...(s.config ? { config: s.config } : {}) };
    throw new Error(`clone task for VM ${vmid} succeeded but the VM is ${s.state} (expected ours, unlocked)`);
  }
  throw new Error(`gagal clone setelah ${maxAttempts} percobaan / clone failed after ${maxAttempts} attempts; lost: ${lost.join(', ')}`);
}
