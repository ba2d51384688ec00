import {
  ZRequestPrecheck,
  ZRequestQueuePosition,
  ZVpsRequest,
  zPage,
  type RequestPrecheckQuery,
  type RequestStatus,
  type SubmitRequestBody,
} from '@betang/core';
import type { ApiClient } from './http-client';

const ZRequestPage = zPage(ZVpsRequest);

/** GET /vps-requests (own institution; operators all), newest first. */
export const listRequests = (api: ApiClient, status?: RequestStatus, cursor?: string) =>
  api.request('GET', '/vps-requests', { query: { limit: 50, status, cursor }, response: ZRequestPage });

/** The filters of GET /vps-requests a list page sends (empty ones are left out). */
export type RequestFilter = Partial<Record<'status' | 'institutionId' | 'hostname' | 'address' | 'q' | 'from' | 'to', string>>;

/** GET /vps-requests filtered, without each request's run history (`runs=none`: a list shows the latest run only). */
export const findRequests = (api: ApiClient, filter: RequestFilter, cursor?: string) =>
  api.request('GET', '/vps-requests', { query: { ...filter, runs: 'none', limit: 50, cursor }, response: ZRequestPage });
/** GET /vps-requests/:id. */
export const getRequest = (api: ApiClient, id: string) =>
  api.request('GET', `/vps-requests/${encodeURIComponent(id)}`, { response: ZVpsRequest });
/** POST /vps-requests: 201 submitted, or 422 NO_AGREEMENT_IN_FORCE / QUOTA_EXCEEDED naming what is missing. */
export const submitRequest = (api: ApiClient, body: SubmitRequestBody) =>
  api.request('POST', '/vps-requests', { body, response: ZVpsRequest });
/** POST /vps-requests/:id/cancel (requester, while not yet provisioning). */
export const cancelRequest = (api: ApiClient, id: string, reason?: string) =>
  api.request('POST', `/vps-requests/${encodeURIComponent(id)}/cancel`, { body: reason ? { reason } : {}, response: ZVpsRequest });
/** GET /vps-requests/precheck: what blocks submitting what the form holds so far, as next steps. */
export const precheckRequest = (api: ApiClient, query: RequestPrecheckQuery) =>
  api.request('GET', '/vps-requests/precheck', { query, response: ZRequestPrecheck });
/** GET /vps-requests/:id/queue: place in the approval queue and the due time of the service standard. */
export const getRequestQueuePosition = (api: ApiClient, id: string) =>
  api.request('GET', `/vps-requests/${encodeURIComponent(id)}/queue`, { response: ZRequestQueuePosition });
