import { ZAuditEntry, zPage, type AuditEntryDto, type Locale } from '@betang/core';
import type { ApiClient } from './http-client';

export type AuditEntry = AuditEntryDto;
const ZAuditPage = zPage(ZAuditEntry);

/** Filters GET /audit-log understands. */
export type AuditFilter = {
  institutionId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  actor?: string;
  actorUserId?: string;
  from?: string;
  to?: string;
};

/**
 * The address of GET /audit-log/export.csv for a filter, in `locale` (a plain link: the browser
 * downloads it with the session cookie, but sends its own Accept-Language, not the app's language).
 */
export function auditExportUrl(filter: AuditFilter, locale: Locale): string {
  const params = new URLSearchParams(Object.entries(filter).filter((entry): entry is [string, string] => Boolean(entry[1])));
  params.set('lang', locale);
  const text = params.toString();
  return `/api/v1/audit-log/export.csv${text ? `?${text}` : ''}`;
}

/** GET /audit-log, newest first. */
export const listAudit = (api: ApiClient, filter: AuditFilter, cursor?: string) =>
  api.request('GET', '/audit-log', { query: { ...filter, limit: 50, cursor }, response: ZAuditPage });
