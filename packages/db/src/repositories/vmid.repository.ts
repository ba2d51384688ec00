import { sql } from 'kysely';
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

/**
 * Vmids not to hand out inside [min, max]: those held by live VM rows and, when `reuseAfterDays`
 * is above 0, those retired (their VM destroyed) less than that many days ago — PBS keys backup
 * groups by vmid, so a new VM on a recently used id would write into the old VM's group.
 */
export async function heldVmids(db: Executor, range: { min: number; max: number }, reuseAfterDays = 0): Promise<number[]> {
  const rows = await db
    .selectFrom('vms')
    .select('vmid')
    .where('state', 'in', [...VM_HOLDING_STATES])
    .where('vmid', '>=', range.min)
    .where('vmid', '<=', range.max)
    .execute();
  const live = rows.map((r) => r.vmid).filter((v): v is number => v !== null);
  if (reuseAfterDays <= 0) return live;
  const retired = await db
    .selectFrom('retiredVmids')
    .select('vmid')
    .distinct()
    .where('vmid', '>=', range.min)
    .where('vmid', '<=', range.max)
    .where('retiredAt', '>', sql<Date>`now() - make_interval(days => ${reuseAfterDays})`)
    .execute();
  return [...new Set([...live, ...retired.map((r) => r.vmid)])].sort((a, b) => a - b);
}
