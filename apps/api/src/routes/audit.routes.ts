import { AppError, DATA_CENTER_ROLES, ErrorCode, Role, ZAuditEntry, ZAuditQuery, hasAnyRole, zPage } from '@betang/core';
import { listAudit } from '@betang/db';
import { z } from 'zod';
import { actorOf } from '../http/context';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { auditEntryFor } from '../http/institution-view';
import { route } from '../http/route';
import type { RoutesContext } from './router-context';

/**
 * GET /audit-log: data-center roles see everything; an institution head sees their institution's
 * entries without IP addresses (auditEntryFor).
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
      access: [...DATA_CENTER_ROLES, Role.InstitutionHead],
      query: ZAuditQuery,
      response: zPage(ZAuditEntry),
    },
    async ({ auth, query }) => {
      const actor = actorOf(auth);
      let institutionId = query.institutionId;
      if (!hasAnyRole(actor, DATA_CENTER_ROLES)) {
        if (institutionId && institutionId !== actor.institutionId) throw new AppError(ErrorCode.NotFound);
        institutionId = actor.institutionId ?? undefined;
      }
      const beforeId = decodeCursor(z.number().int().positive(), query.cursor);
      const rows = await listAudit(deps.db, { ...query, institutionId, beforeId, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      return {
        items: page.map((row) => auditEntryFor(actor, { ...row, at: row.at.toISOString() })),
        nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.id) : null,
      };
    },
  );
}
