import type { Role } from '@betang/core';
import type { Executor } from '../database';

type ApprovalRow = {
  level: number;
  decision: 'approved' | 'rejected';
  decidedBy: string | null;
  decidedByName: string | null;
  role: string;
  comment: string | null;
  decidedAt: Date;
};

/**
 * The decisions in order on a request itself (`changeRunId` absent) or on one of its pending
 * changes (the change's run id): the two never mix.
 */
export async function listApprovals(db: Executor, requestId: string, changeRunId?: string): Promise<ApprovalRow[]> {
  return (await db
    .selectFrom('approvals')
    .leftJoin('users', 'users.id', 'approvals.decidedBy')
    .select([
      'approvals.level',
      'approvals.decision',
      'approvals.decidedBy',
      'users.name as decidedByName',
      'approvals.role',
      'approvals.comment',
      'approvals.decidedAt',
    ])
    .where('approvals.requestId', '=', requestId)
    .where('approvals.runId', changeRunId === undefined ? 'is' : '=', changeRunId ?? null)
    .orderBy('approvals.decidedAt')
    .execute()) as ApprovalRow[];
}

/** Records a decision on a request or (with `runId`) on its pending change; one per user per level and subject (unique in the database). */
export async function insertApproval(
  db: Executor,
  values: {
    requestId: string;
    runId?: string | null;
    level: number;
    decision: 'approved' | 'rejected';
    decidedBy: string | null;
    role: string;
    comment: string | null;
  },
): Promise<void> {
  await db
    .insertInto('approvals')
    .values({ ...values, runId: values.runId ?? null })
    .execute();
}

/** How many active users hold any of the roles (for all-of approval levels). */
export async function countRoleHolders(db: Executor, roles: readonly Role[]): Promise<number> {
  const row = await db
    .selectFrom('users')
    .innerJoin('userRoles', 'userRoles.userId', 'users.id')
    .select((eb) => eb.fn.count<number>('users.id').distinct().as('n'))
    .where('users.isActive', '=', true)
    .where('userRoles.role', 'in', [...roles])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
