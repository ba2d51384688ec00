import {
  AppError,
  DATA_CENTER_ROLES,
  ErrorCode,
  Role,
  ZAuditEntry,
  ZAuditExportQuery,
  ZAuditQuery,
  hasAnyRole,
  likePattern,
  todayInJakarta,
  wibDayBounds,
  zPage,
  type Actor,
  type AuditFilterQuery,
} from '@betang/core';
import { listAudit, type AuditFilter } from '@betang/db';
import { z } from 'zod';
import { actorOf, locals } from '../http/context';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { auditEntryFor } from '../http/institution-view';
import { route } from '../http/route';
import { writeAuditCsv } from '../use-cases/audit-csv';
import type { RoutesContext } from './router-context';

const READERS = [...DATA_CENTER_ROLES, Role.InstitutionHead];

/**
 * The repository filter for `query` as `actor` may ask it: data-center roles any institution, an
 * institution head only their own (another institution's id answers 404, like every list).
 */
function scopedFilter(actor: Actor, query: AuditFilterQuery): AuditFilter {
  let institutionId = query.institutionId;
  if (!hasAnyRole(actor, DATA_CENTER_ROLES)) {
    if (!actor.institutionId || (institutionId && institutionId !== actor.institutionId)) throw new AppError(ErrorCode.NotFound);
    institutionId = actor.institutionId;
  }
  return {
    institutionId,
    actorUserId: query.actorUserId,
    actorLike: query.actor ? likePattern(query.actor) : undefined,
    action: query.action,
    targetType: query.targetType,
    targetId: query.targetId,
    ...wibDayBounds(query),
  };
}

/**
 * GET /audit-log and its CSV export: data-center roles see everything; an institution head sees
 * their institution's entries without IP addresses (auditEntryFor).
 */
export function auditRoutes({ router, registry, deps }: RoutesContext): void {
  route(
    router,
    registry,
    {
      method: 'get',
      path: '/audit-log',
      tag: 'audit',
      summary: 'Log audit / audit log',
      access: READERS,
      query: ZAuditQuery,
      response: zPage(ZAuditEntry),
    },
    async ({ auth, query }) => {
      const actor = actorOf(auth);
      const beforeId = decodeCursor(z.number().int().positive(), query.cursor);
      const rows = await listAudit(deps.db, { ...scopedFilter(actor, query), beforeId, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      return {
        items: page.map((row) => auditEntryFor(actor, { ...row, at: row.at.toISOString() })),
        nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.id) : null,
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/audit-log/export.csv',
      tag: 'audit',
      summary: 'Ekspor log audit (CSV) / export the audit log',
      access: READERS,
      query: ZAuditExportQuery,
      writes: 'text/csv',
    },
    async ({ res, auth, query }) => {
      const actor = actorOf(auth);
      const filter = scopedFilter(actor, query);
      const institutions = await deps.db.selectFrom('institutions').select(['id', 'name']).execute();
      res.status(200).type('text/csv; charset=utf-8').attachment(`log-audit-${todayInJakarta()}.csv`).set('Cache-Control', 'no-store');
      await writeAuditCsv(deps.db, res, {
        actor,
        filter,
        locale: query.lang ?? locals(res).locale,
        institutionNames: new Map(institutions.map((i) => [i.id, i.name])),
      });
    },
  );
}
