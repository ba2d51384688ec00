import { QUOTA_HOLDING_STATUSES, type QuotaLimits } from '@betang/core';
import { sql } from 'kysely';
import type { Executor, Tx } from '../database';

const ZERO: QuotaLimits = { cores: 0, memoryMiB: 0, diskGiB: 0, vmCount: 0 };

/** The institution's quota limits (all zero when never set) and when they were last set. */
export async function getQuota(db: Executor, institutionId: string): Promise<{ limits: QuotaLimits; updatedAt: Date | null }> {
  const row = await db.selectFrom('quotas').selectAll().where('institutionId', '=', institutionId).executeTakeFirst();
  if (!row) return { limits: ZERO, updatedAt: null };
  return {
    limits: { cores: row.cores, memoryMiB: row.memoryMiB, diskGiB: row.diskGiB, vmCount: row.vmCount },
    updatedAt: row.updatedAt,
  };
}

/**
 * Locks the institution's quota row for the rest of the transaction (creating a zero row when
 * absent), so concurrent submissions for one institution serialise and cannot overshoot it.
 */
export async function lockQuota(tx: Tx, institutionId: string): Promise<QuotaLimits> {
  await tx
    .insertInto('quotas')
    .values({ institutionId, cores: 0, memoryMiB: 0, diskGiB: 0, vmCount: 0 })
    .onConflict((oc) => oc.column('institutionId').doNothing())
    .execute();
  const row = await tx.selectFrom('quotas').selectAll().where('institutionId', '=', institutionId).forUpdate().executeTakeFirstOrThrow();
  return { cores: row.cores, memoryMiB: row.memoryMiB, diskGiB: row.diskGiB, vmCount: row.vmCount };
}

/** Sets the quota (insert or replace). */
export async function putQuota(db: Executor, institutionId: string, limits: QuotaLimits, updatedBy: string): Promise<void> {
  const values = {
    cores: limits.cores,
    memoryMiB: limits.memoryMiB,
    diskGiB: limits.diskGiB,
    vmCount: limits.vmCount,
    updatedBy,
    updatedAt: new Date(),
  };
  await db
    .insertInto('quotas')
    .values({ institutionId, ...values })
    .onConflict((oc) => oc.column('institutionId').doUpdateSet(values))
    .execute();
}

/**
 * Current usage: the sum over the institution's requests in a quota-holding status
 * (pending and active both count) — the single source of truth for "what counts".
 */
export async function getQuotaUsage(db: Executor, institutionId: string): Promise<QuotaLimits> {
  const row = await db
    .selectFrom('vpsRequests')
    .select([
      sql<number>`coalesce(sum(cores), 0)::int`.as('cores'),
      sql<number>`coalesce(sum(memory_mib), 0)::int`.as('memoryMiB'),
      sql<number>`coalesce(sum(disk_gib), 0)::int`.as('diskGiB'),
      sql<number>`count(*)::int`.as('vmCount'),
    ])
    .where('institutionId', '=', institutionId)
    .where('status', 'in', [...QUOTA_HOLDING_STATUSES])
    .executeTakeFirstOrThrow();
  return row;
}
