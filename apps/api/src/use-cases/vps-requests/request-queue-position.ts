import { DEFAULT_SERVICE_STANDARDS, ZServiceStandards, type RequestQueuePositionDto } from '@betang/core';
import { sql } from 'kysely';
import { getSetting, type Executor, type VpsRequestRow } from '@betang/db';

const WAITING = ['submitted', 'partially_approved'] as const;

/**
 * Where a request stands in the approval queue: its place among every request waiting for a
 * decision (oldest first, across institutions, since operators decide in that order; only the
 * count is shown, never whose requests are ahead), how many wait, and when the approval service
 * standard says it should be decided. Read-only.
 */
export async function requestQueuePosition(db: Executor, request: VpsRequestRow): Promise<RequestQueuePositionDto> {
  const standards = await getSetting(db, 'service_standards', ZServiceStandards, DEFAULT_SERVICE_STANDARDS);
  const dueAt = new Date(request.createdAt.getTime() + standards.approvalHours * 3_600_000).toISOString();
  const counts = await db
    .selectFrom('vpsRequests')
    .select((eb) => [
      eb.fn.countAll<string>().as('waiting'),
      eb.fn
        .count<string>('id')
        // Compared in SQL: a JavaScript Date keeps milliseconds, created_at has microseconds.
        .filterWhere(sql<boolean>`(created_at, id) <= (select r.created_at, r.id from vps_requests r where r.id = ${request.id})`)
        .as('upTo'),
    ])
    .where('status', 'in', [...WAITING])
    .executeTakeFirstOrThrow();
  const isWaiting = (WAITING as readonly string[]).includes(request.status);
  return {
    position: isWaiting ? Number(counts.upTo) : null,
    waiting: Number(counts.waiting),
    approvalHours: standards.approvalHours,
    dueAt,
  };
}
