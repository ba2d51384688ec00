import { upsertFinding } from '@betang/db';
import { inspectVmid, isLocked, judgeLock, type PveClient, type VmidState } from '@betang/proxmox';
import type { Logger } from 'pino';
import { transient } from '../harness/run-error';
import type { WorkerDeps } from '../deps';
import { abandonedLockFinding } from '../reconcile/abandoned-lock-finding';
import { abortableSleep } from '../harness/sleep';

/** How often a live lock is looked at again while waiting (no clone slot is held meanwhile). */
const LOCK_POLL_MS = 500;

type LockedState = VmidState & { node: string; lock: string };

/** Opens (or refreshes) the abandoned-lock finding and logs it. Idempotent per vmid. */
async function reportAbandonedLock(
  deps: Pick<WorkerDeps, 'db'>,
  log: Pick<Logger, 'warn'>,
  state: LockedState,
  vmid: number,
  runId?: string,
): Promise<void> {
  const finding = abandonedLockFinding(vmid, state.node, state.lock, state.state === 'ours', runId);
  await upsertFinding(deps.db, finding);
  log.warn(
    { vmid, node: state.node, lock: state.lock, ours: state.state === 'ours', finding: finding.fingerprint },
    'kunci VM terbengkalai / abandoned VM lock',
  );
}

type SettledVmid = { abandoned: false; state: VmidState } | { abandoned: true; state: LockedState };

/**
 * Waits while a running task holds `vmid`'s config lock (e.g. this run's clone from an attempt
 * whose worker died while PVE went on), for up to `deadlineMs`, then says what the vmid holds.
 * A lock that no running task holds is abandoned: it is reported (finding + log) and returned
 * at once, never waited for. Call it holding no clone slot: it may wait as long as a clone takes.
 * Throws a transient error when a live lock outlasts the deadline (the step is retried later).
 * Safe to repeat: it reads PVE and refreshes one finding per vmid.
 */
export async function waitOutLiveLock(
  pve: PveClient,
  vmid: number,
  marker: string,
  o: { deadlineMs: number; signal: AbortSignal; deps: Pick<WorkerDeps, 'db'>; log: Pick<Logger, 'warn'>; runId: string },
): Promise<SettledVmid> {
  const until = Date.now() + o.deadlineMs;
  for (;;) {
    const seen = await inspectVmid(pve, vmid, marker, { signal: o.signal });
    if (!isLocked(seen)) return { abandoned: false, state: seen };
    const verdict = await judgeLock(pve, vmid, marker, seen, { signal: o.signal });
    if (verdict.kind === 'abandoned') {
      await reportAbandonedLock(o.deps, o.log, verdict.state, vmid, o.runId);
      return { abandoned: true, state: verdict.state };
    }
    if (verdict.kind === 'live' && (Date.now() >= until || o.signal.aborted)) {
      throw transient(
        'VM_LOCKED',
        {
          id: `VM ${vmid} di node ${seen.node} masih terkunci (${seen.lock}) oleh tugas ${verdict.holder.type} yang berjalan; dicoba lagi nanti.`,
          en: `VM ${vmid} on node ${seen.node} is still locked (${seen.lock}) by a running ${verdict.holder.type} task; will try again later.`,
        },
        { vmid, node: seen.node, lock: seen.lock },
      );
    }
    if (verdict.kind === 'live') await abortableSleep(LOCK_POLL_MS, o.signal);
  }
}
