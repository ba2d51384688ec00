import { VM_HOLDING_STATES, type VmState } from '@betang/core';
import type { Executor } from '../database';
import { definedFields } from './patch';

export { VM_HOLDING_STATES, type VmState };

export type VmRow = {
  id: string;
  requestId: string;
  institutionId: string;
  vmid: number | null;
  node: string | null;
  name: string;
  macAddress: string | null;
  hostKey: string | null;
  /** The VM's SMBIOS uuid as cloned (with the vmid, Betang's proof of ownership when its marker was removed). */
  smbiosUuid: string | null;
  cores: number;
  memoryMib: number;
  diskGib: number;
  state: VmState;
  createdAt: Date;
  updatedAt: Date;
};


/** The VM row of a request (at most one: vms.request_id is unique), or undefined. */
export async function getVmByRequest(db: Executor, requestId: string): Promise<VmRow | undefined> {
  return db.selectFrom('vms').selectAll().where('requestId', '=', requestId).executeTakeFirst();
}

/** One VM row by id. */
export async function getVm(db: Executor, id: string): Promise<VmRow | undefined> {
  return db.selectFrom('vms').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Creates the request's VM row in state `reserved` with `vmid`, or re-arms the existing row
 * (a re-queued failed run) with the new vmid and spec. One row per request, so running it
 * twice never creates a second VM row.
 */
export async function reserveVmRow(
  db: Executor,
  vm: { requestId: string; institutionId: string; vmid: number; name: string; cores: number; memoryMib: number; diskGib: number },
): Promise<VmRow> {
  return db
    .insertInto('vms')
    .values({ ...vm, state: 'reserved' })
    .onConflict((oc) =>
      oc.column('requestId').doUpdateSet({ vmid: vm.vmid, name: vm.name, cores: vm.cores, memoryMib: vm.memoryMib, diskGib: vm.diskGib, state: 'reserved', node: null, macAddress: null, hostKey: null }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Updates some columns of a VM row. */
export async function updateVm(
  db: Executor,
  id: string,
  patch: Partial<Pick<VmRow, 'vmid' | 'node' | 'macAddress' | 'hostKey' | 'smbiosUuid' | 'cores' | 'memoryMib' | 'diskGib' | 'state' | 'name'>>,
): Promise<void> {
  const fields = definedFields(patch);
  if (fields) await db.updateTable('vms').set(fields).where('id', '=', id).execute();
}

/** VM rows that hold a vmid (everything not failed or decommissioned). */
export async function listLiveVms(db: Executor): Promise<VmRow[]> {
  return db
    .selectFrom('vms')
    .selectAll()
    .where('state', 'in', [...VM_HOLDING_STATES])
    .where('vmid', 'is not', null)
    .orderBy('vmid')
    .execute();
}
