import { bilingualDetail } from '@betang/core';
import { appendAudit, heldVmids, lockVmidAllocation, transitionVm } from '@betang/db';
import { cloneToFreeVmid, PveTaskFailedError } from '@betang/proxmox';
import type { Logger } from 'pino';
import { permanent } from '../../harness/run-error';
import type { AttemptCache } from '../../harness/attempt-cache';
import { withCloneSlot } from '../clone-slot';
import { restoreIntoReservedVmid } from '../restore-into-new';
import { waitOutLiveLock } from '../locked-vmid';
import { FRESH_VMID, KNOWN_CONFIG, provisionStep, STOPPED_VMID, type ProvisionCtx } from '../provision-context';
import { CLONE_STEP_KEY, destroyRunVm } from '../run-vm-compensation';
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

/**
 * `clone`: find-or-create. A restore into a new VM restores the request's backup here instead
 * (restoreIntoReservedVmid: the same exactly-once rules, proven by its qmrestore task). A VM carrying this run's marker (at the reserved vmid, or a clone of
 * an earlier attempt still in flight) is adopted, never cloned twice; a vmid lost to another
 * worker moves the reservation to the next free id. Runs inside a per-node clone slot.
 * Undone by destroying the VM, only when it carries this run's marker.
 */
export const cloneStep = provisionStep<CloneResult>({
  key: CLONE_STEP_KEY,
  weight: 25,
  label: { id: 'clone template', en: 'clone the template' },
  async run({ ctx, run, output, signal, log, cache }) {
    const reserved = output(reserveStep);
    const place = output(placeStep);
    const { db } = ctx.deps;
    const range = { min: ctx.settings.PVE_VMID_MIN, max: ctx.settings.PVE_VMID_MAX };
    const held = (await heldVmids(db, range, ctx.settings.VMID_REUSE_DAYS)).filter((v) => v !== reserved.vmid);
    // A vmid confirmed free in this very attempt holds nothing to wait for or adopt.
    // Taken once: an in-process retry of this step must look again (the first try may have left a clone there).
    const fresh = cache.take(FRESH_VMID) === reserved.vmid && ctx.previousMarkers.length === 0;
    if (ctx.data.restoreFrom)
      return restoredResult(await restoreIntoReservedVmid(ctx, run, reserved, place, signal, log), ctx, reserved, cache);
    const settled = fresh ? undefined : await settleReservedVmid(ctx, run.id, reserved.vmid, signal, log);
    // The copy runs on the template's node and loads its storage: the slot is counted there.
    const cloned =
      settled ??
      (await withCloneSlot(
        db,
        place.templateNode ?? place.node,
        ctx.settings.PVE_CLONE_LIMIT_PER_NODE,
        Math.min(300_000, ctx.settings.PVE_CLONE_TASK_SECONDS * 1000),
        () =>
          cloneToFreeVmid(ctx.pve, {
            node: place.templateNode ?? place.node,
            target: place.node,
            templateVmid: place.templateVmid,
            range,
            exclude: held,
            preferredVmid: reserved.vmid,
            // reserve confirmed the id free in this attempt and no earlier run may have left a VM there.
            preferredKnownFree: fresh,
            // Live locks were waited out above; one seen now is abandoned or new: never wait on it holding the slot.
            lockedVmid: 'skip',
            ownerMarker: ctx.marker,
            name: ctx.data.request.hostname,
            description: vmDescription(ctx),
            full: true,
            ...(place.storage ? { storage: place.storage } : {}),
            ...(ctx.settings.PVE_POOL ? { pool: ctx.settings.PVE_POOL } : {}),
            taskDeadlineMs: ctx.settings.PVE_CLONE_TASK_SECONDS * 1000,
            signal,
            onVmidLost: (vmid, reason) => log.warn({ vmid, reason }, 'VMID direbut worker lain / vmid lost to another clone'),
          }).catch((error: unknown) => {
            throw explainCloneFailure(error, place);
          }),
        { signal },
      ));
    await db.transaction().execute(async (tx) => {
      if (cloned.vmid !== reserved.vmid) await lockVmidAllocation(tx);
      await transitionVm(tx, reserved.vmId, ['reserved', 'provisioning'], 'provisioning', {
        fields: { vmid: cloned.vmid, node: cloned.node },
      });
      await appendAudit(tx, {
        actorUserId: null,
        actorLabel: 'worker',
        institutionId: ctx.data.request.institutionId,
        action: 'vm.cloned',
        targetType: 'vm',
        targetId: reserved.vmId,
        after: { vmid: cloned.vmid, node: cloned.node, adopted: cloned.adopted, template: place.templateVmid },
      });
    });
    if ('config' in cloned && cloned.config) cache.put(KNOWN_CONFIG, { vmid: cloned.vmid, node: cloned.node, config: cloned.config });
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
  /** Destroys the VM only when it carries this run's marker; a VM it cannot prove ours is kept (see destroyRunVm). */
  compensate: ({ env, run }) => destroyRunVm(env, run),
});
