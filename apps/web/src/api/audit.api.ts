import { z } from 'zod';
import type { ApiClient } from './http-client';

// Mirrors the entry apps/api/src/routes/audit.routes.ts returns; core has no audit contract yet
// (move it to packages/core/src/contracts/audit.ts and import it here when it lands).
const ZAuditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actorUserId: z.string().nullable(),
  actorLabel: z.string(),
  institutionId: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof ZAuditEntry>;
const ZAuditPage = z.object({ items: z.array(ZAuditEntry), nextCursor: z.string().nullable() });

/** Filters GET /audit-log understands. */
export type AuditFilter = { institutionId?: string; action?: string; targetType?: string; targetId?: string };

/** GET /audit-log, newest first. */
export const listAudit = (api: ApiClient, filter: AuditFilter, cursor?: string) => api.request('GET', '/audit-log', { query: { ...filter, limit: 50, cursor }, response: ZAuditPage });
