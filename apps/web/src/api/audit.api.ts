import { ZAuditEntry, zPage, type AuditEntryDto } from '@betang/core';
import type { ApiClient } from './http-client';

export type AuditEntry = AuditEntryDto;
const ZAuditPage = zPage(ZAuditEntry);

/** Filters GET /audit-log understands. */
export type AuditFilter = { institutionId?: string; action?: string; targetType?: string; targetId?: string };

/** GET /audit-log, newest first. */
export const listAudit = (api: ApiClient, filter: AuditFilter, cursor?: string) =>
  api.request('GET', '/audit-log', { query: { ...filter, limit: 50, cursor }, response: ZAuditPage });
