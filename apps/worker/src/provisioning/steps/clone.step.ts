import { bilingualDetail } from '@betang/core';
import { appendAudit, heldVmids, lockVmidAllocation, renewCloneLease, takeCloneLease, transitionVm } from '@betang/db';
import {
  cloneToFreeVmid,
  inspectVmid,
  isCloneVmidLost,
  PveTaskFailedError,
  PveTaskTimeoutError,
  readTaskState,
  type VmConfig,
} from '@betang/proxmox';
import type { Logger } from 'pino';
import { permanent } from '../../harness/run-error';
import type { AttemptCache } from '../../harness/attempt-cache';
import { CLONE_LEASE_TTL_MS, cloneSlotsBusy, releaseCloneSlot } from '../clone-slot';
import { restoreIntoReservedVmid } from '../restore-into-new';
import { waitOutLiveLock } from '../locked-vmid';
import { FRESH_VMID, KNOWN_CONFIG, provisionStep, STOPPED_VMID, type ProvisionCtx } from '../provision-context';
import { CLONE_STEP_KEY, destroyRunVm } from '../run-vm-compensation';
import type { StepScope } from '../../harness/run-definition';
import { vmDescription } from '../vm-spec';
import { placeStep, type PlaceResult } from './place.step';
import { reserveStep } from './reserve.step';

/**
 * Before a clone slot is taken: what the reserved vmid already holds. A clone of this run (an
 * attempt whose worker died while PVE went on) or of an earlier run of the request is waited for
 * while a running task still holds its lock, then adopted, never cloned twice; waiting holds no
 * clone slot. A lock no running task holds (PVE's worker died: node crash, SIGKILL) is abandoned:
 * reported for an operator and not waited for — the clone then goes to another vmid.
 */
async function settleReservedVmid(
  ctx: ProvisionCtx,
  runId: string,
  vmid: number,
  signal: AbortSignal,
  log: Logger,
): Promise<{ vmid: number; node: string; adopted: true } | undefined> {
  const deadlineMs = ctx.settings.PVE_CLONE_TASK_SECONDS * 1000;
  for (const marker of [ctx.marker, ...ctx.previousMarkers]) {
    const seen = await waitOutLiveLock(ctx.pve, vmid, marker, { deadlineMs, signal, deps: ctx.deps, log, runId });
    if (seen.abandoned) return undefined;
    if (seen.state.state === 'ours' && !seen.state.lock) return { vmid, node: seen.state.node, adopted: true };
    if (seen.state.state === 'absent') return undefined;
  }
  return undefined;
}

/** A full storage is a task failure PVE words as "not enough free space": say which storage and what to do. */
function explainCloneFailure(error: unknown, place: PlaceResult): unknown {
  if (error instanceof PveTaskFailedError && /not enough free space|no space left/i.test(error.exitstatus)) {
    return permanent(
      'STORAGE_FULL',
      {
        id: `Penyimpanan ${place.storage ?? '(bawaan template)'} di node ${place.templateNode ?? place.node} penuh saat clone: ${error.exitstatus}`,
        en: `Storage ${place.storage ?? '(template default)'} on node ${place.templateNode ?? place.node} is full during the clone: ${error.exitstatus}`,
      },
      { node: place.node },
    );
  }
  return error;
}

type CloneResult = { vmid: number; node: string; adopted: boolean };

/** Records a restore into a new VM as the clone step's result: the VM row and the audit, as a clone. */
async function restoredResult(
  restored: CloneResult,
  ctx: ProvisionCtx,
  reserved: { vmId: string },
  cache: AttemptCache,
): Promise<{ result: CloneResult; detail: ReturnType<typeof bilingualDetail> }> {
  const from = ctx.data.restoreFrom;
  await ctx.deps.db.transaction().execute(async (tx) => {
    await transitionVm(tx, reserved.vmId, ['reserved', 'provisioning'], 'provisioning', {
      fields: { vmid: restored.vmid, node: restored.node },
    });
    await appendAudit(tx, {
      actorUserId: null,
      actorLabel: 'worker',
      institutionId: ctx.data.request.institutionId,
      action: 'vm.restored_new',
      targetType: 'vm',
      targetId: reserved.vmId,
      after: {
        vmid: restored.vmid,
        node: restored.node,
        adopted: restored.adopted,
        backupId: from?.backupId ?? null,
        volid: from?.volid ?? null,
      },
    });
  });
  if (!restored.adopted) cache.put(STOPPED_VMID, restored.vmid);
  return {
    result: restored,
    detail: bilingualDetail({
      id: `VM ${restored.vmid} di ${restored.node} dipulihkan dari ${from?.volid ?? '?'}${restored.adopted ? ' (diadopsi)' : ''}`,
      en: `VM ${restored.vmid} on ${restored.node} restored from ${from?.volid ?? '?'}${restored.adopted ? ' (adopted)' : ''}`,
    }),
  };
}

/** Parked while waiting for a clone slot of the template's node (epoch ms). */
type SlotMemo = { phase: 'slot'; since: number };
/** Parked while PVE copies: the clone task, where its VM goes, and the budget of the copy (epoch ms). */
type CopyMemo = { phase: 'copy'; upid: string; vmid: number; node: string; startedAt: number; deadlineAt: number; lost: number[] };
type CloneMemo = SlotMemo | CopyMemo;

function cloneMemo(memo: unknown): CloneMemo | undefined {
  const m = memo as Partial<CopyMemo> & Partial<SlotMemo> & { phase?: unknown };
  if (m?.phase === 'slot' && typeof m.since === 'number') return { phase: 'slot', since: m.since };
  if (
    m?.phase === 'copy' &&
    typeof m.upid === 'string' &&
    typeof m.vmid === 'number' &&
    typeof m.node === 'string' &&
    typeof m.startedAt === 'number' &&
    typeof m.deadlineAt === 'number'
  )
    return {
      phase: 'copy',
      upid: m.upid,
      vmid: m.vmid,
      node: m.node,
      startedAt: m.startedAt,
      deadlineAt: m.deadlineAt,
      lost: m.lost ?? [],
    };
  return undefined;
}

/** Parked between two looks for a free clone slot (above DEFAULT_PARK_MIN_MS, so it really parks). */
const SLOT_PARK_MS = 3_000;
/** Parked between two looks at the copy: short at first, then a tenth of the time it has taken, at most 30 s. */
function copyParkMs(startedAt: number): number {
  return Math.min(30_000, Math.max(3_000, (Date.now() - startedAt) / 10));
}

const WAITING_SLOT = { id: 'menunggu slot clone di node', en: 'waiting for a clone slot on the node' };
const WAITING_COPY = { id: 'menunggu Proxmox menyalin disk template', en: 'waiting for Proxmox to copy the template disk' };

type Cloned = CloneResult & { config?: VmConfig };

/**
 * `clone`: find-or-create. A restore into a new VM restores the request's backup here instead
 * (restoreIntoReservedVmid: the same exactly-once rules, proven by its qmrestore task). A VM carrying this run's marker (at the reserved vmid, or a clone of
 * an earlier attempt still in flight) is adopted, never cloned twice; a vmid lost to another
 * worker moves the reservation to the next free id. The copy holds one of the template node's
 * clone leases (shared by every worker); waiting for a lease and the copy itself park the run.
 * Safe to run twice: a resumed copy is looked at by its UPID, never started again, and a fresh
 * call finds the run's VM by its marker first.
 * Undone by releasing the lease and destroying the VM, only when it carries this run's marker.
 */
export const cloneStep = provisionStep<CloneResult>({
  key: CLONE_STEP_KEY,
  weight: 25,
  label: { id: 'clone template', en: 'clone the template' },
  async run(scope) {
    const { ctx, run, output, signal, log, cache } = scope;
    const reserved = output(reserveStep);
    const place = output(placeStep);
    if (ctx.data.restoreFrom)
      return restoredResult(await restoreIntoReservedVmid(ctx, run, reserved, place, signal, log), ctx, reserved, cache);
    const memo = cloneMemo(scope.memo);
    let cloned: Cloned;
    if (memo?.phase === 'copy') cloned = await lookAtCopy(scope, memo, place, reserved);
    else {
      // A vmid confirmed free in this very attempt holds nothing to wait for or adopt.
      // Taken once: an in-process retry of this step must look again (the first try may have left a clone there).
      const fresh = !memo && cache.take(FRESH_VMID) === reserved.vmid && ctx.previousMarkers.length === 0;
      const settled = fresh ? undefined : await settleReservedVmid(ctx, run.id, reserved.vmid, signal, log);
      cloned = settled ?? (await startCopy(scope, memo, place, reserved, fresh, []));
    }
    await recordVm(ctx, reserved, cloned, place.templateVmid, true);
    if (cloned.config) cache.put(KNOWN_CONFIG, { vmid: cloned.vmid, node: cloned.node, config: cloned.config });
    if (!cloned.adopted) cache.put(STOPPED_VMID, cloned.vmid);
    const out: CloneResult = { vmid: cloned.vmid, node: cloned.node, adopted: cloned.adopted };
    return {
      result: out,
      detail: bilingualDetail({
        id: `VM ${cloned.vmid} di ${cloned.node}${cloned.adopted ? ' (diadopsi)' : ''}`,
        en: `VM ${cloned.vmid} on ${cloned.node}${cloned.adopted ? ' (adopted)' : ''}`,
      }),
    };
  },
  /** Releases the run's clone lease, then destroys the VM only when it carries this run's marker (see destroyRunVm). */
  async compensate({ env, run }) {
    await releaseCloneSlot(env.db, undefined, run.id);
    return destroyRunVm(env, run);
  },
});

/**
 * Points the request's VM row at the clone's vmid and node (and, once the VM is there, audits
 * it). Recorded already when the copy starts, so a rollback while the run is parked finds the VM
 * to destroy. Safe to repeat: the transition accepts a row already provisioning.
 */
async function recordVm(ctx: ProvisionCtx, reserved: { vmId: string; vmid: number }, cloned: CloneResult, template: number, done: boolean) {
  await ctx.deps.db.transaction().execute(async (tx) => {
    if (cloned.vmid !== reserved.vmid) await lockVmidAllocation(tx);
    await transitionVm(tx, reserved.vmId, ['reserved', 'provisioning'], 'provisioning', {
      fields: { vmid: cloned.vmid, node: cloned.node },
    });
    if (!done) return;
    await appendAudit(tx, {
      actorUserId: null,
      actorLabel: 'worker',
      institutionId: ctx.data.request.institutionId,
      action: 'vm.cloned',
      targetType: 'vm',
      targetId: reserved.vmId,
      after: { vmid: cloned.vmid, node: cloned.node, adopted: cloned.adopted, template },
    });
  });
}

/**
 * Takes a clone lease of the template's node and starts the copy (or adopts this run's VM found
 * at the id), then parks on its UPID. No lease free: parks and looks again, up to the slot budget
 * counted from the first look (`memo.since`), then a transient CLONE_SLOTS_BUSY. Returns only for
 * an adopted VM (lease released); a failed start releases the lease.
 */
async function startCopy(
  { ctx, run, park, signal, log }: StepScope<ProvisionCtx>,
  memo: CloneMemo | undefined,
  place: PlaceResult,
  reserved: { vmId: string; vmid: number },
  fresh: boolean,
  lostBefore: number[],
): Promise<Cloned> {
  const { db } = ctx.deps;
  // The copy runs on the template's node and loads its storage: the lease is counted there.
  const leaseNode = place.templateNode ?? place.node;
  const limit = ctx.settings.PVE_CLONE_LIMIT_PER_NODE;
  const since = memo?.phase === 'slot' ? memo.since : Date.now();
  if (!(await takeCloneLease(db, leaseNode, run.id, limit, CLONE_LEASE_TTL_MS))) {
    if (Date.now() - since >= Math.min(300_000, ctx.settings.PVE_CLONE_TASK_SECONDS * 1000)) throw cloneSlotsBusy(leaseNode, limit);
    return park(Date.now() + SLOT_PARK_MS, { phase: 'slot', since } satisfies SlotMemo, WAITING_SLOT);
  }
  const range = { min: ctx.settings.PVE_VMID_MIN, max: ctx.settings.PVE_VMID_MAX };
  const held = (await heldVmids(db, range, ctx.settings.VMID_REUSE_DAYS)).filter((v) => v !== reserved.vmid);
  let started;
  try {
    started = await cloneToFreeVmid(ctx.pve, {
      node: leaseNode,
      target: place.node,
      templateVmid: place.templateVmid,
      range,
      exclude: [...held, ...lostBefore],
      ...(lostBefore.includes(reserved.vmid) ? {} : { preferredVmid: reserved.vmid }),
      // reserve confirmed the id free in this attempt and no earlier run may have left a VM there.
      preferredKnownFree: fresh,
      // Live locks were waited out before; one seen now is abandoned or new: never wait on it holding the lease.
      lockedVmid: 'skip',
      ownerMarker: ctx.marker,
      name: ctx.data.request.hostname,
      description: vmDescription(ctx),
      full: true,
      ...(place.storage ? { storage: place.storage } : {}),
      ...(ctx.settings.PVE_POOL ? { pool: ctx.settings.PVE_POOL } : {}),
      taskDeadlineMs: ctx.settings.PVE_CLONE_TASK_SECONDS * 1000,
      detach: true,
      signal,
      onVmidLost: (vmid, reason) => log.warn({ vmid, reason }, 'VMID direbut worker lain / vmid lost to another clone'),
    });
  } catch (error) {
    await releaseCloneSlot(db, leaseNode, run.id);
    throw explainCloneFailure(error, place);
  }
  if (!started.running || !started.upid) {
    await releaseCloneSlot(db, leaseNode, run.id);
    return started;
  }
  const now = Date.now();
  const copy: CopyMemo = {
    phase: 'copy',
    upid: started.upid,
    vmid: started.vmid,
    node: started.node,
    startedAt: now,
    deadlineAt: now + ctx.settings.PVE_CLONE_TASK_SECONDS * 1000,
    lost: [...lostBefore, ...started.lost],
  };
  await recordVm(ctx, reserved, started, place.templateVmid, false);
  return parkOnCopy(ctx, run.id, park, copy);
}

/** Parks until the next look at the copy, first extending the run's lease past the parking time. */
async function parkOnCopy(ctx: ProvisionCtx, runId: string, park: StepScope<ProvisionCtx>['park'], copy: CopyMemo): Promise<never> {
  // Never past the copy's budget: the look at the deadline is what reports a copy that hangs.
  const until = Math.min(copy.deadlineAt, Date.now() + copyParkMs(copy.startedAt));
  await renewCloneLease(ctx.deps.db, runId, { untilMs: until, marginMs: CLONE_LEASE_TTL_MS, upid: copy.upid });
  return park(until, copy, WAITING_COPY);
}

/**
 * One look at a parked copy (GET the task's status, never waiting): still running → parks again
 * (the lease extended); ended OK → the lease released and the VM checked to carry this run's
 * marker; the id lost to another clone in flight → a new copy at the next free id; any other
 * failure → the lease released and the failure reported as before. Never starts a second copy of
 * the same id: the memo's UPID is the copy.
 */
async function lookAtCopy(
  scope: StepScope<ProvisionCtx>,
  copy: CopyMemo,
  place: PlaceResult,
  reserved: { vmId: string; vmid: number },
): Promise<Cloned> {
  const { ctx, run, park, signal, log } = scope;
  const { db } = ctx.deps;
  const leaseNode = place.templateNode ?? place.node;
  if (!(await renewCloneLease(db, run.id, { marginMs: CLONE_LEASE_TTL_MS, upid: copy.upid }))) {
    // The lease expired while the run was away (a worker down longer than the margin): the copy
    // goes on regardless, so it is counted again when the node has room.
    const retaken = await takeCloneLease(db, leaseNode, run.id, ctx.settings.PVE_CLONE_LIMIT_PER_NODE, CLONE_LEASE_TTL_MS);
    log.warn({ upid: copy.upid, retaken }, 'lease clone kedaluwarsa saat diparkir / clone lease expired while parked');
  }
  try {
    const state = await readTaskState(ctx.pve, copy.upid, { signal });
    if (state.running) {
      if (Date.now() < copy.deadlineAt) return await parkOnCopy(ctx, run.id, park, copy);
      await releaseCloneSlot(db, leaseNode, run.id);
      throw new PveTaskTimeoutError(copy.upid, 'running', 'deadline');
    }
  } catch (error) {
    if (!(error instanceof PveTaskFailedError)) throw error;
    if (isCloneVmidLost(error, copy.vmid)) {
      log.warn({ vmid: copy.vmid }, 'VMID direbut worker lain / vmid lost to another clone');
      return await startCopy(scope, undefined, place, reserved, false, [...copy.lost, copy.vmid]);
    }
    await releaseCloneSlot(db, leaseNode, run.id);
    throw explainCloneFailure(error, place);
  }
  await releaseCloneSlot(db, leaseNode, run.id);
  const seen = await inspectVmid(ctx.pve, copy.vmid, ctx.marker, { signal });
  if (seen.state === 'ours' && !seen.lock)
    return { vmid: copy.vmid, node: seen.node, adopted: false, ...(seen.config ? { config: seen.config } : {}) };
  // PVE hides a VM the token may not audit (VM.Audit) from every read: after a successful copy,
  // "absent" almost always means the token cannot see its own clone.
  if (seen.state === 'absent')
    throw new Error(
      `clone task for VM ${copy.vmid} succeeded but the VM is not visible to Betang's token: check that its role grants VM.Audit on the pool (infra/proxmox/betang-role.json)`,
    );
  throw new Error(
    `clone task for VM ${copy.vmid} succeeded but the VM is ${seen.state}${'lock' in seen && seen.lock ? ` (lock: ${seen.lock})` : ''} (expected ours, unlocked)`,
  );
}
