import { PIC_ROLES, VM_HOLDING_STATES, type AgreementStatus, type PicProblem, type VmState } from '@betang/core';
import { sql } from 'kysely';
import type { Executor } from '../database';

/** A live VM with the PIC it names and, when that PIC no longer qualifies, why. */
export type PicVmRow = {
  id: string;
  name: string;
  vmid: number | null;
  state: VmState;
  institutionId: string;
  institutionName: string;
  picUserId: string | null;
  picName: string | null;
  picEmail: string | null;
  problem: PicProblem | null;
};

/**
 * The same rules as core's `picProblem`, in SQL so lists can filter on them: nobody named, the
 * account deactivated, another institution, no institution role. Kept in this one expression;
 * it reads the VM as `v` and its PIC's user row (left-joined) as `u`.
 */
export const picProblemSql = sql<PicProblem | null>`CASE
    WHEN v.pic_user_id IS NULL OR u.id IS NULL THEN 'none'
    WHEN NOT u.is_active THEN 'inactive'
    WHEN u.institution_id IS DISTINCT FROM v.institution_id THEN 'moved'
    WHEN NOT EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND ur.role IN (${sql.join([...PIC_ROLES])})) THEN 'role_lost'
    ELSE NULL END`;

function picVmQuery(db: Executor) {
  return db
    .selectFrom('vms as v')
    .innerJoin('institutions as i', 'i.id', 'v.institutionId')
    .leftJoin('users as u', 'u.id', 'v.picUserId')
    .select([
      'v.id',
      'v.name',
      'v.vmid',
      'v.state',
      'v.institutionId',
      'i.name as institutionName',
      'v.picUserId',
      'u.name as picName',
      'u.email as picEmail',
      picProblemSql.as('problem'),
    ])
    .where('v.state', 'in', [...VM_HOLDING_STATES]);
}

/**
 * Live VMs (those holding a vmid slot: reserved … retained) with their PIC, of one institution or
 * of all, optionally only those that need a new PIC; by institution then name, at most `limit` (1000).
 */
export async function listPicVms(
  db: Executor,
  options: { institutionId?: string; neededOnly?: boolean; userId?: string; limit?: number } = {},
): Promise<PicVmRow[]> {
  let query = picVmQuery(db);
  if (options.institutionId) query = query.where('v.institutionId', '=', options.institutionId);
  if (options.userId) query = query.where('v.picUserId', '=', options.userId);
  if (options.neededOnly) query = query.where(sql<boolean>`(${picProblemSql}) IS NOT NULL`);
  return query
    .orderBy('i.name')
    .orderBy('v.name')
    .orderBy('v.id')
    .limit(options.limit ?? 1000)
    .execute();
}

/** Live VMs among `vmIds` (duplicates ignored), with their PIC; a VM not live or unknown is absent. */
export async function findPicVms(db: Executor, vmIds: readonly string[]): Promise<PicVmRow[]> {
  if (vmIds.length === 0) return [];
  return picVmQuery(db)
    .where('v.id', 'in', [...new Set(vmIds)])
    .execute();
}

/**
 * Names `userId` the PIC of `vmIds`; returns the ids whose PIC changed (a VM already naming them
 * is left untouched, so running it twice changes nothing the second time). The caller checks
 * that every VM and the user qualify.
 */
export async function setVmPic(db: Executor, vmIds: readonly string[], userId: string): Promise<string[]> {
  if (vmIds.length === 0) return [];
  const rows = await db
    .updateTable('vms')
    .set({ picUserId: userId, updatedAt: new Date() })
    .where('id', 'in', [...new Set(vmIds)])
    .where((eb) => eb.or([eb('picUserId', 'is', null), eb('picUserId', '<>', userId)]))
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * The PIC a new VM starts with: the active user of the request's institution whose e-mail is the
 * request's contact e-mail, else the requester when they belong to that institution, else null.
 */
export async function defaultPicOfRequest(db: Executor, requestId: string): Promise<string | null> {
  const row = await db
    .selectFrom('vpsRequests as r')
    .select([
      sql<string | null>`(SELECT u.id FROM users u WHERE u.institution_id = r.institution_id AND u.is_active
        AND lower(u.email) = lower(r.contact->>'email') ORDER BY u.created_at LIMIT 1)`.as('contactUserId'),
      sql<string | null>`(SELECT u.id FROM users u WHERE u.id = r.requested_by AND u.institution_id = r.institution_id)`.as('requesterId'),
    ])
    .where('r.id', '=', requestId)
    .executeTakeFirst();
  return row?.contactUserId ?? row?.requesterId ?? null;
}

/** A live VM whose institution's last agreement ends by a given day with no later agreement after it. */
export type VmWithoutSuccessorRow = {
  id: string;
  name: string;
  vmid: number | null;
  institutionId: string;
  institutionName: string;
  agreementId: string | null;
  agreementNumber: string | null;
  agreementStatus: AgreementStatus | null;
  termEnd: string | null;
};

/**
 * Live VMs whose institution's last agreement (the non-revoked one ending last) is in force or
 * expired and ends on or before `endingBy` (WIB date): nothing is lined up to follow it. A later
 * agreement in any non-revoked status (a draft, one awaiting signatures) counts as a successor;
 * an institution with no non-revoked agreement at all is listed with a null agreement.
 */
export async function listVmsWithoutAgreementSuccessor(db: Executor, endingBy: string): Promise<VmWithoutSuccessorRow[]> {
  const result = await sql<VmWithoutSuccessorRow>`
    WITH last_agreement AS (
      SELECT DISTINCT ON (institution_id) id, institution_id, number, status, term_end
        FROM agreements
       WHERE status <> 'revoked'
       ORDER BY institution_id, term_end DESC, created_at DESC
    )
    SELECT v.id, v.name, v.vmid, v.institution_id AS "institutionId", i.name AS "institutionName",
           a.id AS "agreementId", a.number AS "agreementNumber", a.status AS "agreementStatus",
           to_char(a.term_end, 'YYYY-MM-DD') AS "termEnd"
      FROM vms v
      JOIN institutions i ON i.id = v.institution_id
      LEFT JOIN last_agreement a ON a.institution_id = v.institution_id
     WHERE v.state IN (${sql.join([...VM_HOLDING_STATES])})
       AND (a.id IS NULL OR (a.status IN ('in_force', 'expired') AND a.term_end <= ${endingBy}::date))
     ORDER BY a.term_end NULLS FIRST, i.name, v.name, v.id
     LIMIT 1000`.execute(db);
  return result.rows;
}

/** Locks a user row until the transaction ends (FOR UPDATE); no-op when the user does not exist. */
export async function lockUserRow(db: Executor, userId: string): Promise<void> {
  await db.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
}

/** Users who may be named PIC of `institutionId`'s VMs: active, of it, holding an institution role; by name, at most 500. */
export async function listPicCandidates(db: Executor, institutionId: string): Promise<{ userId: string; name: string; email: string }[]> {
  return db
    .selectFrom('users as u')
    .select(['u.id as userId', 'u.name', 'u.email'])
    .where('u.institutionId', '=', institutionId)
    .where('u.isActive', '=', true)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('userRoles as ur')
          .select('ur.userId')
          .whereRef('ur.userId', '=', 'u.id')
          .where('ur.role', 'in', [...PIC_ROLES]),
      ),
    )
    .orderBy('u.name')
    .orderBy('u.id')
    .limit(500)
    .execute();
}
