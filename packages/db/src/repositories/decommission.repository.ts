import { AppError, ErrorCode } from '@betang/core';
import { sql } from 'kysely';
import type { Executor, Tx } from '../database';

/** What a decommission ends as: waiting for the institution head, or decided. */
type DecommissionStatus = 'awaiting_approval' | 'approved' | 'rejected';

export type DecommissionRow = {
  id: string;
  vmId: string;
  requestId: string;
  institutionId: string;
  requestedBy: string;
  reason: string;
  status: DecommissionStatus;
  createdAt: Date;
};

const COLUMNS = ['id', 'vmId', 'requestId', 'institutionId', 'requestedBy', 'reason', 'status', 'createdAt'] as const;

/**
 * Records a decommission: `awaiting_approval` (the head decides) or `approved` at once (decided
 * by the one who asked). The partial unique index refuses a second awaiting one per VM.
 */
export async function insertDecommission(
  tx: Tx,
  row: {
    vmId: string;
    requestId: string;
    institutionId: string;
    requestedBy: string;
    reason: string;
    status: 'awaiting_approval' | 'approved';
  },
): Promise<DecommissionRow> {
  const decided = row.status === 'approved' ? { decidedBy: row.requestedBy, decidedAt: sql<Date>`now()` } : {};
  const inserted = await tx
    .insertInto('vmDecommissions')
    .values({ ...row, ...decided })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return { ...inserted, status: inserted.status as DecommissionStatus };
}

/** The VM's decommission awaiting the head, locked for this transaction, or undefined. */
export async function lockAwaitingDecommission(tx: Tx, vmId: string): Promise<DecommissionRow | undefined> {
  const row = await tx
    .selectFrom('vmDecommissions')
    .select(COLUMNS)
    .where('vmId', '=', vmId)
    .where('status', '=', 'awaiting_approval')
    .forUpdate()
    .executeTakeFirst();
  return row ? { ...row, status: row.status as DecommissionStatus } : undefined;
}

/**
 * Decides an awaiting decommission (`approved` or `rejected`), conditional on it still awaiting:
 * a decision already taken is refused with 409, so two heads deciding at once never both win.
 */
export async function decideDecommission(
  tx: Tx,
  id: string,
  to: 'approved' | 'rejected',
  decidedBy: string,
  note: string | null,
): Promise<void> {
  const r = await tx
    .updateTable('vmDecommissions')
    .set({ status: to, decidedBy, decidedAt: sql<Date>`now()`, decisionNote: note })
    .where('id', '=', id)
    .where('status', '=', 'awaiting_approval')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Penghapusan ini sudah diputuskan.',
      en: 'This decommission has already been decided.',
    });
  }
}

/** The VM's latest approved decommission (who asked and why), or undefined. */
export async function latestApprovedDecommission(db: Executor, vmId: string): Promise<DecommissionRow | undefined> {
  const row = await db
    .selectFrom('vmDecommissions')
    .select(COLUMNS)
    .where('vmId', '=', vmId)
    .where('status', '=', 'approved')
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { ...row, status: row.status as DecommissionStatus } : undefined;
}

/** Awaiting decommissions of the given VMs with the requester's name (for the VM view). */
export async function listAwaitingDecommissions(db: Executor, vmIds: readonly string[]) {
  if (vmIds.length === 0) return [];
  return db
    .selectFrom('vmDecommissions as d')
    .innerJoin('users as u', 'u.id', 'd.requestedBy')
    .select(['d.id', 'd.vmId', 'd.requestedBy', 'u.name as requestedByName', 'd.reason', 'd.createdAt'])
    .where('d.vmId', 'in', [...vmIds])
    .where('d.status', '=', 'awaiting_approval')
    .execute();
}

/** A retained VM as the grace sweep sees it. */
export type RetainedVm = { id: string; requestId: string; institutionId: string; name: string; vmid: number | null; retainedUntil: Date };

/** Ids of VMs retained whose grace period ended at or before `now` (not locked: the sweep locks each). */
export async function listVmsPastGrace(db: Executor, now: Date, limit = 100): Promise<string[]> {
  const rows = await db
    .selectFrom('vms')
    .select('id')
    .where('state', '=', 'retained')
    .where('retainedUntil', '<=', now)
    .orderBy('retainedUntil')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The VM if it is still retained past its grace period, locked (SKIP LOCKED: another sweep holding it is handling it). */
export async function lockVmPastGrace(tx: Tx, vmId: string, now: Date): Promise<RetainedVm | undefined> {
  const row = await tx
    .selectFrom('vms')
    .select(['id', 'requestId', 'institutionId', 'name', 'vmid', 'retainedUntil'])
    .where('id', '=', vmId)
    .where('state', '=', 'retained')
    .where('retainedUntil', '<=', now)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return row && row.retainedUntil ? { ...row, retainedUntil: row.retainedUntil } : undefined;
}

/** Retained VMs whose grace period ends in (`now`, `by`]: the ones due a reminder. */
export async function listVmsEndingGraceBy(db: Executor, now: Date, by: Date, limit = 500): Promise<RetainedVm[]> {
  const rows = await db
    .selectFrom('vms')
    .select(['id', 'requestId', 'institutionId', 'name', 'vmid', 'retainedUntil'])
    .where('state', '=', 'retained')
    .where('retainedUntil', '>', now)
    .where('retainedUntil', '<=', by)
    .orderBy('retainedUntil')
    .limit(limit)
    .execute();
  return rows.flatMap((r) => (r.retainedUntil ? [{ ...r, retainedUntil: r.retainedUntil }] : []));
}

/** E-mail addresses of the active heads of one institution. */
export async function listInstitutionHeadEmails(db: Executor, institutionId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('userRoles', 'userRoles.userId', 'users.id')
    .select('users.email')
    .distinct()
    .where('users.isActive', '=', true)
    .where('userRoles.role', '=', 'institution_head')
    .where('users.institutionId', '=', institutionId)
    .orderBy('users.email')
    .execute();
  return rows.map((r) => r.email);
}
