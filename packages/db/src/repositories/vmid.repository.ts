import type { Executor, Tx } from '../database';
import { lockForTransaction } from '../advisory-lock';
import { VM_HOLDING_STATES } from './vm.repository';

/** Name of the advisory lock serialising vmid reservation across every worker instance. */
export const VMID_ALLOCATION_LOCK = 'betang:vmid-allocation';

/**
 * Takes the vmid-allocation lock for this transaction. Held from "which ids are taken" to the
 * insert of the reservation, so two workers never reserve the same id in Postgres (the partial
 * unique index vms_live_vmid_uq is the last line of defence).
 */
export async function lockVmidAllocation(tx: Tx): Promise<void> {
  await lockForTransaction(tx, VMID_ALLOCATION_LOCK);
}

/** Vmids held by live VM rows inside [min, max]. */
export async function heldVmids(db: Executor, range: { min: number; max: number }): Promise<number[]> {
  const rows = await db
    .selectFrom('vms')
    .select('vmid')
    .where('state', 'in', [...VM_HOLDING_STATES])
    .where('vmid', '>=', range.min)
    .where('vmid', '<=', range.max)
    .execute();
  return rows.map((r) => r.vmid).filter((v): v is number => v !== null);
}
