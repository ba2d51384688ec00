import type { VpsRequestDto } from '@betang/core';
import type { ApiClient } from '../../api/http-client';
import { getOperatorQueue, listRequestsWithStatus, type QueueItem } from '../../api/operator-queue.api';

/** A pending approval: the queue's age against the standard plus the request itself (null if it changed meanwhile). */
export type PendingRow = QueueItem & { request: VpsRequestDto | null };

type ApprovalQueue = { rows: PendingRow[]; approvalHours: number };

/**
 * Loads the approval queue (oldest first, as the API orders it) and joins each entry with its
 * request from GET /vps-requests, which carries size, template, purpose and the pending level.
 */
export async function loadApprovalQueue(api: ApiClient): Promise<ApprovalQueue> {
  const [queue, submitted, partial] = await Promise.all([
    getOperatorQueue(api),
    listRequestsWithStatus(api, 'submitted'),
    listRequestsWithStatus(api, 'partially_approved'),
  ]);
  const byId = new Map([...submitted.items, ...partial.items].map((request) => [request.id, request]));
  return {
    rows: queue.pendingApprovals.map((item) => ({ ...item, request: byId.get(item.requestId) ?? null })),
    approvalHours: queue.serviceStandards.approvalHours,
  };
}
