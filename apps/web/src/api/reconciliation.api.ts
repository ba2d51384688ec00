import { ZReconcileFindingList } from '@betang/core';
import type { ApiClient } from './http-client';

export type FindingStatus = 'open' | 'resolved' | 'dismissed';

/** GET /reconciliation?status=…: findings of the reconciliation schedule, newest sighting first. */
export const listFindings = (api: ApiClient, status: FindingStatus) =>
  api.request('GET', '/reconciliation', { query: { status }, response: ZReconcileFindingList });

/** POST /reconciliation/:id/dismiss: marks an open finding handled, with the reason (5–500 characters). */
export const dismissFinding = (api: ApiClient, id: string, reason: string) =>
  api.request('POST', `/reconciliation/${encodeURIComponent(id)}/dismiss`, { body: { reason } });
