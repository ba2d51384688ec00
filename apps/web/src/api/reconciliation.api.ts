import { ZReconcileFinding } from '@betang/core';
import { z } from 'zod';
import type { ApiClient } from './http-client';

const ZFindings = z.object({ items: z.array(ZReconcileFinding) });
export type FindingStatus = 'open' | 'resolved' | 'dismissed';

/** GET /reconciliation?status=…: findings of the reconciliation schedule, newest sighting first. */
export const listFindings = (api: ApiClient, status: FindingStatus) => api.request('GET', '/reconciliation', { query: { status }, response: ZFindings });

/** POST /reconciliation/:id/dismiss: marks an open finding handled, with the reason (5–500 characters). */
export const dismissFinding = (api: ApiClient, id: string, reason: string) => api.request('POST', `/reconciliation/${encodeURIComponent(id)}/dismiss`, { body: { reason } });
