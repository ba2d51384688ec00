import {
  DEFAULT_LEASE_POLICY,
  ZLeasePolicy,
  type AgreementStatus,
  type LeasePolicy,
  type LeaseState,
  type VmLease,
  type VmState,
} from '@betang/core';
import { sql } from 'kysely';
import type { Executor, Tx } from '../database';

/** A lease row with what the sweep and the notices need about its VM and agreement. */
export type LeaseRow = {
  vmId: string;
  vmName: string;
  vmState: VmState;
  requestId: string;
  institutionId: string;
  node: string | null;
  vmid: number | null;
  agreementId: string;
  agreementNumber: string;
  state: LeaseState;
  endedOn: string;
  graceUntil: string;
  destroyOn: string | null;
  stoppedOn: string | null;
  backupId: string | null;
};

function leaseQuery(db: Executor) {
  return db
    .selectFrom('vmLeases as l')
    .innerJoin('vms as v', 'v.id', 'l.vmId')
    .innerJoin('agreements as a', 'a.id', 'l.agreementId')
    .select([
      'l.vmId',
      'v.name as vmName',
      'v.state as vmState',
      'v.requestId',
      'v.institutionId',
      'v.node',
      'v.vmid',
      'l.agreementId',
      'a.number as agreementNumber',
      'l.state',
      'l.endedOn',
      'l.graceUntil',
      'l.destroyOn',
      'l.stoppedOn',
      'l.backupId',
    ]);
}

type RawLease = Omit<LeaseRow, 'state' | 'vmState'> & { state: string; vmState: string };
const asLease = (r: RawLease): LeaseRow => ({ ...r, state: r.state as LeaseState, vmState: r.vmState as VmState });

/** A VM whose covering agreement ended (its term passed, or it was revoked) and that has no lease row yet. */
export type UncoveredVm = {
  vmId: string;
  vmName: string;
  institutionId: string;
  agreementId: string;
  agreementNumber: string;
  /** The agreement's last day: the end of its term, or the WIB day before its revocation when earlier. */
  endedOn: string;
};

/**
 * Live VMs (running or stopped) whose agreement's term ended before `today` (WIB) or that was
 * revoked, and that have no lease row: the ones the sweep checks for a successor, else puts in
 * their grace period.
 */
export async function listVmsPastTerm(db: Executor, today: string): Promise<UncoveredVm[]> {
  const rows = await db
    .selectFrom('vms as v')
    .innerJoin('agreements as a', 'a.id', 'v.agreementId')
    .leftJoin('vmLeases as l', 'l.vmId', 'v.id')
    .select([
      'v.id as vmId',
      'v.name as vmName',
      'v.institutionId',
      'a.id as agreementId',
      'a.number as agreementNumber',
      'a.termEnd',
      sql<string | null>`to_char((a.revoked_at AT TIME ZONE 'Asia/Jakarta')::date - 1, 'YYYY-MM-DD')`.as('revokedEve'),
    ])
    .where('v.state', 'in', ['running', 'stopped'])
    .where((eb) => eb.or([eb('a.termEnd', '<', today), eb('a.status', '=', 'revoked')]))
    .where('l.vmId', 'is', null)
    .orderBy('v.id')
    .execute();
  return rows.map(({ termEnd, revokedEve, ...r }) => ({ ...r, endedOn: revokedEve && revokedEve < termEnd ? revokedEve : termEnd }));
}

/** Every lease row not yet at its final step (`destroying`), oldest deadline first. */
export async function listOpenLeases(db: Executor): Promise<LeaseRow[]> {
  const rows = await leaseQuery(db).where('l.state', '<>', 'destroying').orderBy('l.graceUntil').orderBy('l.vmId').execute();
  return rows.map(asLease);
}

/** The VM's lease row locked for this transaction (SKIP LOCKED: another sweep holds it → undefined). */
export async function lockLease(tx: Tx, vmId: string, skipLocked = true): Promise<LeaseRow | undefined> {
  await (
    skipLocked
      ? tx.selectFrom('vmLeases').select('vmId').where('vmId', '=', vmId).forUpdate().skipLocked()
      : tx.selectFrom('vmLeases').select('vmId').where('vmId', '=', vmId).forUpdate()
  ).executeTakeFirst();
  const row = await leaseQuery(tx).where('l.vmId', '=', vmId).executeTakeFirst();
  return row && asLease(row);
}

/** Starts a VM's grace period; false when it already has a lease row (another sweep was first). */
export async function insertLease(
  tx: Tx,
  lease: { vmId: string; agreementId: string; endedOn: string; graceUntil: string },
): Promise<boolean> {
  const row = await tx
    .insertInto('vmLeases')
    .values({ ...lease, state: 'grace' })
    .onConflict((oc) => oc.column('vmId').doNothing())
    .returning('vmId')
    .executeTakeFirst();
  return !!row;
}

/** Moves a lease row from one of `from` to `to` with the given columns; false when it was not in `from`. */
export async function moveLease(
  tx: Tx,
  vmId: string,
  from: readonly LeaseState[],
  to: LeaseState,
  fields: Partial<{
    graceUntil: string;
    destroyOn: string | null;
    stoppedOn: string | null;
    backupId: string | null;
    stopRunId: string | null;
    destroyRunId: string | null;
  }> = {},
): Promise<boolean> {
  const moved = await tx
    .updateTable('vmLeases')
    .set({ ...fields, state: to, updatedAt: new Date() })
    .where('vmId', '=', vmId)
    .where('state', 'in', [...from])
    .executeTakeFirst();
  return moved.numUpdatedRows > 0n;
}

/**
 * Moves every live VM of the institution that the new agreement outlasts onto it, ending their
 * leases (except one already destroying, which nothing reverses). Returns what each VM was
 * before, for the audit trail; a second call moves nothing.
 */
export async function moveVmsToAgreement(
  tx: Tx,
  agreement: { id: string; institutionId: string; termEnd: string },
): Promise<{ vmId: string; fromAgreementId: string | null; leaseState: LeaseState | null; vmState: string }[]> {
  const vms = await tx
    .selectFrom('vms as v')
    .leftJoin('agreements as a', 'a.id', 'v.agreementId')
    .leftJoin('vmLeases as l', 'l.vmId', 'v.id')
    .select(['v.id as vmId', 'v.agreementId as fromAgreementId', 'l.state as leaseState', 'v.state as vmState'])
    .where('v.institutionId', '=', agreement.institutionId)
    .where('v.state', 'in', ['reserved', 'provisioning', 'running', 'stopped', 'missing'])
    .where((eb) => eb.or([eb('v.agreementId', 'is', null), eb('a.termEnd', '<', agreement.termEnd)]))
    .where((eb) => eb.or([eb('l.state', 'is', null), eb('l.state', '<>', 'destroying')]))
    .forUpdate('v')
    .execute();
  if (vms.length === 0) return [];
  const ids = vms.map((v) => v.vmId);
  await tx.updateTable('vms').set({ agreementId: agreement.id }).where('id', 'in', ids).execute();
  await tx.deleteFrom('vmLeases').where('vmId', 'in', ids).where('state', '<>', 'destroying').execute();
  return vms.map((v) => ({ ...v, leaseState: (v.leaseState as LeaseState | null) ?? null }));
}

/** Records which agreement covers a VM (at provisioning). */
export async function setVmAgreement(db: Executor, vmId: string, agreementId: string): Promise<void> {
  await db.updateTable('vms').set({ agreementId }).where('id', '=', vmId).execute();
}

function leaseViewQuery(db: Executor) {
  return db
    .selectFrom('vms as v')
    .leftJoin('vmLeases as l', 'l.vmId', 'v.id')
    .leftJoin('agreements as a', 'a.id', 'v.agreementId')
    .leftJoin('vmBackups as b', 'b.id', 'l.backupId')
    .select([
      'v.id as vmId',
      'v.name as vmName',
      'v.state as vmState',
      'v.institutionId',
      'a.id as agreementId',
      'a.number as agreementNumber',
      'a.status as agreementStatus',
      'a.termEnd as agreementTermEnd',
      'l.state',
      'l.endedOn',
      'l.graceUntil',
      'l.stoppedOn',
      'l.destroyOn',
      'b.id as backupId',
      'b.volid as backupVolid',
      'b.outcome as backupOutcome',
    ]);
}

type RawView = Awaited<ReturnType<ReturnType<typeof leaseViewQuery>['executeTakeFirstOrThrow']>>;

function asView(r: RawView): VmLease & { institutionId: string } {
  const state = (r.state as LeaseState | null) ?? null;
  return {
    vmId: r.vmId,
    vmName: r.vmName,
    vmState: r.vmState as VmState,
    institutionId: r.institutionId,
    agreement: r.agreementId
      ? { id: r.agreementId, number: r.agreementNumber!, status: r.agreementStatus as AgreementStatus, termEnd: r.agreementTermEnd! }
      : null,
    state,
    endedOn: r.endedOn,
    stopOn: state === 'grace' || state === 'final_backup' ? r.graceUntil : null,
    stoppedOn: r.stoppedOn,
    destroyOn: r.destroyOn,
    keptBackup: r.backupId ? { id: r.backupId, volid: r.backupVolid, outcome: r.backupOutcome! } : null,
  };
}

/** One VM's lease as the API shows it (with its institution for the tenancy check); undefined for an unknown VM. */
export async function findVmLease(db: Executor, vmId: string): Promise<(VmLease & { institutionId: string }) | undefined> {
  const row = await leaseViewQuery(db).where('v.id', '=', vmId).executeTakeFirst();
  return row && asView(row);
}

/** The leases of the VMs an agreement covers (or covered until it ended), by VM name; destroyed VMs left out. */
export async function listAgreementLeases(db: Executor, agreementId: string): Promise<VmLease[]> {
  const rows = await leaseViewQuery(db)
    .where('v.agreementId', '=', agreementId)
    .where('v.state', 'not in', ['decommissioned', 'failed'])
    .orderBy('v.name')
    .execute();
  return rows.map((r) => {
    const { institutionId: _institutionId, ...view } = asView(r);
    return view;
  });
}

/** The lease policy from its two settings (`lease_grace_days`, `lease_destroy_days`), defaults where unset. */
export async function getLeasePolicy(db: Executor): Promise<LeasePolicy> {
  const rows = await db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', ['lease_grace_days', 'lease_destroy_days'])
    .execute();
  const value = (key: string, fallback: number) => {
    const v = rows.find((r) => r.key === key)?.value;
    return typeof v === 'number' ? v : fallback;
  };
  return ZLeasePolicy.parse({
    graceDays: value('lease_grace_days', DEFAULT_LEASE_POLICY.graceDays),
    destroyAfterDays: value('lease_destroy_days', DEFAULT_LEASE_POLICY.destroyAfterDays),
  });
}
