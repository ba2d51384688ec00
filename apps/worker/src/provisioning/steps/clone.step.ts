import { appendAudit, heldVmids, lockVmidAllocation, updateVm } from '@betang/db';
import { cloneToFreeVmid, inspectVmid, PveTaskFailedError } from '@betang/proxmox';
import { permanent } from '../../harness/run-error';
import type { StepDef } from '../../harness/run-definition';
import { withCloneSlot } from '../clone-slot';
import { abortableSleep } from '../sleep';
import type { ProvisionCtx } from '../provision-context';
import { vmDescription } from '../vm-spec';
import type { PlaceResult } from './place.step';
import type { ReserveResult } from './reserve.step';

/** A VM an earlier (failed, not cleaned up) provision run of this request built at the reserved vmid. */
async function adoptFromEarlierRun(ctx: ProvisionCtx, vmid: number, signal: AbortSignal): Promise<{ vmid: number; node: string; adopted: true } | undefined> {
  const until = Date.now() + ctx.settings.PVE_CLONE_TASK_SECONDS * 1000;
  for (const marker of ctx.previousMarkers) {
    let seen = await inspectVmid(ctx.pve, vmid, marker);
    // That run's clone task may still be running: wait for it rather than clone a second VM.
    while (((seen.state === 'ours' && seen.lock) || seen.state === 'pending') && Date.now() < until && !signal.aborted) {
      await abortableSleep(500, signal);
      seen = await inspectVmid(ctx.pve, vmid, marker);
    }
    if (seen.state === 'ours' && !seen.lock) return { vmid, node: seen.node, adopted: true };
    if (seen.state === 'ours' || seen.state === 'absent') return undefined;
  }
  return undefined;
}

/** A full storage is a task failure PVE words as "not enough free space": say which storage and what to do. */
function explainCloneFailure(error: unknown, place: PlaceResult): unknown {
  if (error instanceof PveTaskFailedError && /not enough free space|no space left/i.test(error.exitstatus)) {
    return permanent('STORAGE_FULL', {
      id: `Penyimpanan ${place.storage ?? '(bawaan template)'} di node ${place.node} penuh saat clone: ${error.exitstatus}`,
      en: `Storage ${place.storage ?? '(template default)'} on node ${place.node} is full during the clone: ${error.exitstatus}`,
    }, { node: place.node });
  }
  return error;
}

export type CloneResult = { vmid: number; node: string; adopted: boolean };

/**
 * `clone`: find-or-create. A VM carrying this run's marker (at the reserved vmid, or a clone of
 * an earlier attempt still in flight) is adopted, never cloned twice; a vmid lost to another
 * worker moves the reservation to the next free id. Runs inside a per-node clone slot.
 */
export const cloneStep: StepDef<ProvisionCtx> = {
  key: 'clone',
  weight: 25,
  label: { id: 'clone template', en: 'clone the template' },
  async run({ ctx, result, signal, log }) {
    const reserved = result<ReserveResult>('reserve');
    const place = result<PlaceResult>('place');
    const { db } = ctx.deps;
    const range = { min: ctx.settings.PVE_VMID_MIN, max: ctx.settings.PVE_VMID_MAX };
    const held = (await heldVmids(db, range)).filter((v) => v !== reserved.vmid);
    const cloned = (await adoptFromEarlierRun(ctx, reserved.vmid, signal)) ?? await withCloneSlot(
      db,
      place.node,
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
          preferredKnownFree: ctx.known.freshVmid === reserved.vmid && ctx.previousMarkers.length === 0,
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
      signal,
    );
    await db.transaction().execute(async (tx) => {
      if (cloned.vmid !== reserved.vmid) await lockVmidAllocation(tx);
      await updateVm(tx, reserved.vmId, { vmid: cloned.vmid, node: cloned.node, state: 'provisioning' });
      await appendAudit(tx, {
        actorUserId: null, actorLabel: 'worker', institutionId: ctx.data.request.institutionId, action: 'vm.cloned', targetType: 'vm', targetId: reserved.vmId,
        after: { vmid: cloned.vmid, node: cloned.node, adopted: cloned.adopted, template: place.templateVmid },
      });
    });
    delete ctx.known.freshVmid;
    if ('config' in cloned && cloned.config) ctx.known.config = { vmid: cloned.vmid, node: cloned.node, config: cloned.config };
    if (!cloned.adopted) ctx.known.stoppedVmid = cloned.vmid;
    const out: CloneResult = { vmid: cloned.vmid, node: cloned.node, adopted: cloned.adopted };
    return { result: out, detail: `VM ${cloned.vmid} di/on ${cloned.node}${cloned.adopted ? ' (diadopsi/adopted)' : ''}` };
  },
};
