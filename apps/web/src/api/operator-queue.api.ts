import { ZOperatorQueue, ZReviewChecks, ZVpsRequest, zPage, type RequestStatus } from '@betang/core';
import type { z } from 'zod';
import type { ApiClient } from './http-client';

type OperatorQueue = z.infer<typeof ZOperatorQueue>;
export type QueueItem = OperatorQueue['pendingApprovals'][number];
export type RunItem = OperatorQueue['running'][number];
export type FailedItem = OperatorQueue['failed'][number];

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
export const retryRequest = (api: ApiClient, id: string) =>
  api.request('POST', `/vps-requests/${encodeURIComponent(id)}/retry`, { body: {}, response: ZVpsRequest });

/** GET /vps-requests/:id/checks: agreement, coverage, ceiling, quota and pool, each passed or failed, before approving. */
export const getReviewChecks = (api: ApiClient, id: string) =>
  api.request('GET', `/vps-requests/${encodeURIComponent(id)}/checks`, { response: ZReviewChecks });
