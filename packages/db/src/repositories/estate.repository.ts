import type { EstateAddress, EstateDecisions } from '@betang/core';
import { sql } from 'kysely';
import type { Executor, Tx } from '../database';

/** What the worker's census saw of one VM without Betang's marker. */
export type EstateVmObservation = {
  vmid: number;
  node: string;
  name: string | null;
  tags: string[];
  notes: string | null;
  cores: number;
  memoryMiB: number;
  diskGiB: number;
  power: string;
  agent: boolean;
  addresses: EstateAddress[];
  macAddress: string | null;
  smbiosUuid: string | null;
  inBetangRange: boolean;
  lock: string | null;
  observedAt: Date;
};

/** A census row with the operator's decisions. */
export type EstateVmRow = EstateVmObservation & { decisions: EstateDecisions; decidedAt: Date | null };

/**
 * Replaces the census with what was just observed: upserts every VM seen (its decisions kept) and
 * deletes the VMs no longer seen (gone, or now carrying Betang's marker). Idempotent.
 */
export async function replaceEstateCensus(tx: Tx, seen: readonly EstateVmObservation[]): Promise<void> {
  for (const o of seen) {
    const values = { ...o, addresses: JSON.stringify(o.addresses) };
    await tx
      .insertInto('estateVms')
      .values(values)
      .onConflict((oc) => oc.column('vmid').doUpdateSet(values))
      .execute();
  }
  let del = tx.deleteFrom('estateVms');
  if (seen.length > 0)
    del = del.where(
      'vmid',
      'not in',
      seen.map((o) => o.vmid),
    );
  await del.execute();
}

function toRow(r: {
  vmid: number;
  node: string;
  name: string | null;
  tags: string[];
  notes: string | null;
  cores: number;
  memoryMiB: number;
  diskGiB: number;
  power: string;
  agent: boolean;
  addresses: unknown;
  macAddress: string | null;
  smbiosUuid: string | null;
  inBetangRange: boolean;
  lock: string | null;
  observedAt: Date;
  decisions: unknown;
  decidedAt: Date | null;
}): EstateVmRow {
  return { ...r, addresses: (r.addresses ?? []) as EstateAddress[], decisions: (r.decisions ?? {}) as EstateDecisions };
}

const COLUMNS = [
  'vmid',
  'node',
  'name',
  'tags',
  'notes',
  'cores',
  'memoryMiB',
  'diskGiB',
  'power',
  'agent',
  'addresses',
  'macAddress',
  'smbiosUuid',
  'inBetangRange',
  'lock',
  'observedAt',
  'decisions',
  'decidedAt',
] as const;

/** The whole census, by vmid. */
export async function listEstateVms(db: Executor): Promise<EstateVmRow[]> {
  return (await db.selectFrom('estateVms').select(COLUMNS).orderBy('vmid').execute()).map(toRow);
}

/** One census VM, locked for the rest of the transaction (adoption and decisions serialise per VM). */
export async function lockEstateVm(tx: Tx, vmid: number): Promise<EstateVmRow | undefined> {
  const r = await tx.selectFrom('estateVms').select(COLUMNS).where('vmid', '=', vmid).forUpdate().executeTakeFirst();
  return r ? toRow(r) : undefined;
}

/** Records the operator's decisions on a census VM (replacing the earlier ones). */
export async function setEstateDecisions(db: Executor, vmid: number, decisions: EstateDecisions, by: string): Promise<void> {
  await db
    .updateTable('estateVms')
    .set({ decisions: JSON.stringify(decisions), decidedBy: by, decidedAt: new Date() })
    .where('vmid', '=', vmid)
    .execute();
}

/** Live addresses held in the pools: address → vmid of the Betang VM (null while only reserved). */
export async function heldPoolAddresses(db: Executor): Promise<Map<string, number | null>> {
  const rows = await db
    .selectFrom('ipAllocations as a')
    .leftJoin('vms as v', 'v.id', 'a.vmId')
    .select([sql<string>`host(a.address)`.as('address'), 'v.vmid'])
    .where('a.releasedAt', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.address, r.vmid ?? null]));
}

/** Vmids held by live Betang VM rows (VM_HOLDING_STATES), with the VM id. */
export async function liveVmidHolders(db: Executor): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('vms')
    .select(['id', 'vmid'])
    .where('vmid', 'is not', null)
    .where('state', 'not in', ['decommissioned', 'failed'])
    .execute();
  return new Map(rows.map((r) => [r.vmid as number, r.id]));
}

/** Live adoptions (not released), by vmid. */
export async function liveAdoptions(
  db: Executor,
): Promise<Map<number, { id: string; vmId: string; institutionId: string; applicationId: string; adoptedAt: Date }>> {
  const rows = await db
    .selectFrom('adoptions')
    .select(['id', 'vmId', 'vmid', 'institutionId', 'applicationId', 'adoptedAt'])
    .where('releasedAt', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.vmid, r]));
}
