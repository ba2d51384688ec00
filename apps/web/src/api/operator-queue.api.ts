import { ZServiceStandards, ZVpsRequest, zPage, type RequestStatus } from '@betang/core';
import { z } from 'zod';
import type { ApiClient } from './http-client';

// Mirrors ZOperatorQueue in apps/api/src/routes/operator-queue.routes.ts; core has no queue
// contract yet (move it to packages/core/src/contracts and import it here when it lands).
const ZQueueItem = z.object({
  requestId: z.uuid(),
  institutionId: z.uuid(),
  institutionName: z.string(),
  hostname: z.string(),
  status: z.string(),
  since: z.string(),
  ageMinutes: z.number(),
  targetMinutes: z.number(),
  overdue: z.boolean(),
});
const ZRunItem = ZQueueItem.extend({ runId: z.uuid(), currentStep: z.string().nullable(), progress: z.number(), attempt: z.number() });
const ZFailedItem = ZQueueItem.extend({ runId: z.uuid(), errorCode: z.string().nullable(), errorMessage: z.string(), retryable: z.boolean().nullable() });
const ZOperatorQueue = z.object({ serviceStandards: ZServiceStandards, pendingApprovals: z.array(ZQueueItem), running: z.array(ZRunItem), failed: z.array(ZFailedItem) });

export type QueueItem = z.infer<typeof ZQueueItem>;
export type RunItem = z.infer<typeof ZRunItem>;
export type FailedItem = z.infer<typeof ZFailedItem>;
export type OperatorQueue = z.infer<typeof ZOperatorQueue>;

const ZRequestPage = zPage(ZVpsRequest);
type AwaitingStatus = Extract<RequestStatus, 'submitted' | 'partially_approved'>;

/** GET /operator/queue: pending approvals, running and failed runs, oldest first, with ages against the service standard. */
export const getOperatorQueue = (api: ApiClient) => api.request('GET', '/operator/queue', { response: ZOperatorQueue });

/** GET /vps-requests?status=…: the full requests behind the queue (size, template, purpose, pending level). */
export const listRequestsWithStatus = (api: ApiClient, status: AwaitingStatus, cursor?: string) =>
  api.request('GET', '/vps-requests', { query: { status, limit: 200, cursor }, response: ZRequestPage });

/** POST /vps-requests/:id/approve: approves the current level (403 when the level belongs to another role). */
export const approveRequest = (api: ApiClient, id: string, comment?: string) =>
  api.request('POST', `/vps-requests/${encodeURIComponent(id)}/approve`, { body: comment ? { comment } : {}, response: ZVpsRequest });

/** POST /vps-requests/:id/reject with the reason the requester will read. */
export const rejectRequest = (api: ApiClient, id: string, reason: string) =>
  api.request('POST', `/vps-requests/${encodeURIComponent(id)}/reject`, { body: { reason }, response: ZVpsRequest });

/** POST /vps-requests/:id/retry: a new provisioning run for a request whose run failed (the request lock makes a double click create one run). */
export const retryRequest = (api: ApiClient, id: string) => api.request('POST', `/vps-requests/${encodeURIComponent(id)}/retry`, { body: {}, response: ZVpsRequest });
