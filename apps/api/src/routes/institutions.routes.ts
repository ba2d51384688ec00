import {
  AppError,
  ErrorCode,
  Role,
  ZCreateInstitutionBody,
  ZIdParam,
  ZInstitution,
  ZPageQuery,
  ZPutQuotaBody,
  ZQuotaResponse,
  ZUpdateInstitutionBody,
  seesAllInstitutions,
  zPage,
} from '@betang/core';
import {
  appendAudit,
  findInstitutionByCode,
  getQuota,
  getQuotaUsage,
  insertInstitution,
  listInstitutions,
  putQuota,
  updateInstitution,
} from '@betang/db';
import { z } from 'zod';
import { actorOf, auditContext } from '../http/context';
import { toInstitutionDto } from '../http/dto';
import { decodeCursor, encodeCursor, ZCursorText } from '../http/cursor';
import { route } from '../http/route';
import { visibleInstitution } from '../http/tenancy';
import type { RoutesContext } from './router-context';

/** Institutions (tenants) and their quotas. */
export function institutionRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/institutions',
      tag: 'institutions',
      summary: 'Daftar instansi / list institutions',
      access: 'user',
      query: ZPageQuery,
      response: zPage(ZInstitution),
    },
    async ({ auth, query }) => {
      const actor = actorOf(auth);
      const after = decodeCursor(z.object({ name: ZCursorText, id: z.uuid() }), query.cursor);
      const onlyId = seesAllInstitutions(actor) ? undefined : (actor.institutionId ?? '00000000-0000-0000-0000-000000000000');
      const rows = await listInstitutions(db, { limit: query.limit + 1, after, onlyId });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toInstitutionDto),
        nextCursor: rows.length > query.limit && last ? encodeCursor({ name: last.name, id: last.id }) : null,
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/institutions',
      tag: 'institutions',
      summary: 'Tambah instansi / create an institution',
      access: [Role.Admin],
      body: ZCreateInstitutionBody,
      response: ZInstitution,
      status: 201,
    },
    async ({ req, res, body }) => {
      return db.transaction().execute(async (tx) => {
        if (await findInstitutionByCode(tx, body.code))
          throw new AppError(ErrorCode.Conflict, {
            id: `Kode perangkat daerah ${body.code} sudah dipakai.`,
            en: `Institution code ${body.code} is taken.`,
          });
        const row = await insertInstitution(tx, body);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: row.id,
          action: 'institution.created',
          targetType: 'institution',
          targetId: row.id,
          after: toInstitutionDto(row),
        });
        return toInstitutionDto(row);
      });
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/institutions/{id}',
      tag: 'institutions',
      summary: 'Detail instansi / institution',
      access: 'user',
      params: ZIdParam,
      response: ZInstitution,
    },
    async ({ auth, params }) => toInstitutionDto(await visibleInstitution(db, actorOf(auth), params.id)),
  );

  route(
    router,
    registry,
    {
      method: 'patch',
      path: '/institutions/{id}',
      tag: 'institutions',
      summary: 'Ubah instansi / update an institution',
      access: [Role.Admin],
      params: ZIdParam,
      body: ZUpdateInstitutionBody,
      response: ZInstitution,
    },
    async ({ req, res, auth, params, body }) => {
      return db.transaction().execute(async (tx) => {
        const before = await visibleInstitution(tx, actorOf(auth), params.id);
        const after = (await updateInstitution(tx, params.id, body))!;
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: after.id,
          action: 'institution.updated',
          targetType: 'institution',
          targetId: after.id,
          before: toInstitutionDto(before),
          after: toInstitutionDto(after),
        });
        return toInstitutionDto(after);
      });
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/institutions/{id}/quota',
      tag: 'quota',
      summary: 'Kuota dan pemakaian / quota and usage',
      access: 'user',
      params: ZIdParam,
      response: ZQuotaResponse,
    },
    async ({ auth, params }) => {
      await visibleInstitution(db, actorOf(auth), params.id);
      const [{ limits, updatedAt }, usage] = await Promise.all([getQuota(db, params.id), getQuotaUsage(db, params.id)]);
      return { institutionId: params.id, limits, usage, updatedAt: updatedAt?.toISOString() ?? null };
    },
  );

  route(
    router,
    registry,
    {
      method: 'put',
      path: '/institutions/{id}/quota',
      tag: 'quota',
      summary: 'Tetapkan kuota / set the quota',
      access: [Role.Admin, Role.Operator],
      params: ZIdParam,
      body: ZPutQuotaBody,
      response: ZQuotaResponse,
    },
    async ({ req, res, auth, params, body }) => {
      return db.transaction().execute(async (tx) => {
        await visibleInstitution(tx, actorOf(auth), params.id);
        const before = await getQuota(tx, params.id);
        await putQuota(tx, params.id, body, auth.user.id);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: params.id,
          action: 'quota.updated',
          targetType: 'quota',
          targetId: params.id,
          before: before.limits,
          after: body,
        });
        const [{ limits, updatedAt }, usage] = await Promise.all([getQuota(tx, params.id), getQuotaUsage(tx, params.id)]);
        return { institutionId: params.id, limits, usage, updatedAt: updatedAt?.toISOString() ?? null };
      });
    },
  );
}
