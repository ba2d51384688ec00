import { VM_HOLDING_STATES, type VmState } from '@betang/core';
import type { Executor } from '../database';
import { transitionVm } from './lifecycle.repository';
import { definedFields } from './patch';
import { defaultPicOfRequest } from './pic.repository';

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
  memoryMiB: number;
  diskGiB: number;
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
 * Creates the request's VM row in state `reserved` with `vmid`, or re-arms the existing row (a
 * re-queued failed run) with the new vmid and spec through transitionVm (failed, or a row still
 * reserved/provisioning without a vmid → reserved; any other state throws). One row per request,
 * so running it twice never creates a second VM row. Call it holding the vmid allocation lock.
 * A new row starts with the request's default PIC (defaultPicOfRequest); a re-armed one keeps its PIC.
 */
export async function reserveVmRow(
  db: Executor,
  vm: { requestId: string; institutionId: string; vmid: number; name: string; cores: number; memoryMiB: number; diskGiB: number },
): Promise<VmRow> {
  const existing = await getVmByRequest(db, vm.requestId);
  if (!existing)
    return db
      .insertInto('vms')
      .values({ ...vm, state: 'reserved', picUserId: await defaultPicOfRequest(db, vm.requestId) })
      .returningAll()
      .executeTakeFirstOrThrow();
  await transitionVm(db, existing.id, ['failed', 'reserved', 'provisioning'], 'reserved', {
    fields: {
      vmid: vm.vmid,
      name: vm.name,
      cores: vm.cores,
      memoryMiB: vm.memoryMiB,
      diskGiB: vm.diskGiB,
      node: null,
      macAddress: null,
      hostKey: null,
    },
  });
  return (await getVm(db, existing.id)) as VmRow;
}

/**
 * Updates columns of a VM row other than its state, which moves only through transitionVm: a
 * `state` slipped into the patch (past the type) is dropped, never written.
 */
export async function updateVm(
  db: Executor,
  id: string,
  patch: Partial<Pick<VmRow, 'vmid' | 'node' | 'macAddress' | 'hostKey' | 'smbiosUuid' | 'cores' | 'memoryMiB' | 'diskGiB' | 'name'>>,
): Promise<void> {
  const { vmid, node, macAddress, hostKey, smbiosUuid, cores, memoryMiB, diskGiB, name } = patch;
  const fields = definedFields({ vmid, node, macAddress, hostKey, smbiosUuid, cores, memoryMiB, diskGiB, name });
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
