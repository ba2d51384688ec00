import {
  AppError,
  ErrorCode,
  canSeeInstitution,
  ZApplication,
  ZApplicationExportQuery,
  ZApplicationImportQuery,
  ZApplicationImportResult,
  ZApplicationListQuery,
  ZCreateApplicationBody,
  ZIdParam,
  ZUpdateApplicationBody,
  zPage,
  likePattern,
} from '@betang/core';
import {
  appendAudit,
  deleteApplication,
  findApplication,
  insertApplication,
  isApplicationReferenced,
  listApplications,
  listApplicationsForExport,
  updateApplication,
} from '@betang/db';
import { renderInventorySummaryPdf } from '@betang/documents';
import express from 'express';
import { z } from 'zod';
import { actorOf, auditContext, type Authentication } from '../http/context';
import { decodeCursor, encodeCursor, ZCursorText } from '../http/cursor';
import { route } from '../http/route';
import { visibleInstitution } from '../http/tenancy';
import { APPLICATION_WRITER_ROLES, assertMayWriteApplications, listScope, toApplicationDto } from '../use-cases/application-access';
import { applicationsToCsv } from '../use-cases/application-csv';
import { importApplications } from '../use-cases/import-applications';
import type { RoutesContext } from './router-context';

/** Largest CSV body `POST /applications/import` accepts. */
export const CSV_IMPORT_LIMIT = '1mb';

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}
const nameTaken = (name: string) =>
  new AppError(ErrorCode.Conflict, {
    id: `Aplikasi bernama "${name}" sudah ada di perangkat daerah ini.`,
    en: `An application named "${name}" already exists in this institution.`,
  });

/** The SPBE application inventory: CRUD, CSV export/import, printable summary per institution. */
export function applicationRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  const visibleApplication = async (auth: Authentication, id: string) => {
    const row = await findApplication(db, id);
    if (!row || !canSeeInstitution(actorOf(auth), row.institutionId)) throw new AppError(ErrorCode.NotFound);
    return row;
  };

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/applications',
      tag: 'applications',
      summary: 'Inventaris aplikasi / application inventory',
      access: 'user',
      query: ZApplicationListQuery,
      response: zPage(ZApplication),
    },
    async ({ auth, query }) => {
      const institutionId = listScope(actorOf(auth), query.institutionId);
      const after = decodeCursor(z.object({ name: ZCursorText, id: z.uuid() }), query.cursor);
      const rows = await listApplications(db, {
        institutionId,
        textLike: query.q ? likePattern(query.q) : undefined,
        limit: query.limit + 1,
        after,
      });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toApplicationDto),
        nextCursor: rows.length > query.limit && last ? encodeCursor({ name: last.name, id: last.id }) : null,
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/applications',
      tag: 'applications',
      summary: 'Tambah aplikasi / add an application',
      access: APPLICATION_WRITER_ROLES,
      body: ZCreateApplicationBody,
      response: ZApplication,
      status: 201,
    },
    async ({ req, res, auth, body }) => {
      const actor = actorOf(auth);
      const { institutionId: requested, ...fields } = body;
      const institutionId = requested ?? actor.institutionId;
      if (!institutionId)
        throw new AppError(ErrorCode.ValidationFailed, { id: 'institutionId wajib diisi.', en: 'institutionId is required.' }, [
          { path: 'body.institutionId', message: 'required', code: 'invalid_type' },
        ]);
      assertMayWriteApplications(actor, institutionId);
      await visibleInstitution(db, actor, institutionId);
      try {
        return await db.transaction().execute(async (tx) => {
          const row = await insertApplication(tx, institutionId, fields);
          await appendAudit(tx, {
            ...auditContext(req, res),
            institutionId,
            action: 'application.created',
            targetType: 'application',
            targetId: row.id,
            after: toApplicationDto(row),
          });
          return toApplicationDto(row);
        });
      } catch (error) {
        throw isUniqueViolation(error) ? nameTaken(fields.name) : error;
      }
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/applications/export.csv',
      tag: 'applications',
      summary: 'Ekspor inventaris (CSV) / export the inventory',
      access: 'user',
      query: ZApplicationExportQuery,
      writes: 'text/csv',
    },
    async ({ res, auth, query }) => {
      const institutionId = listScope(actorOf(auth), query.institutionId);
      const csv = applicationsToCsv(await listApplicationsForExport(db, institutionId));
      res.status(200).type('text/csv; charset=utf-8').attachment('inventaris-aplikasi.csv').send(csv);
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/applications/import',
      tag: 'applications',
      summary: 'Impor inventaris dari CSV (dryRun) / import the inventory from CSV',
      access: APPLICATION_WRITER_ROLES,
      query: ZApplicationImportQuery,
      response: ZApplicationImportResult,
      bodyReader: express.text({ type: ['text/csv', 'application/csv'], limit: CSV_IMPORT_LIMIT }),
    },
    async ({ req, res, auth, query }) => {
      if (typeof req.body !== 'string') {
        throw new AppError(
          ErrorCode.ValidationFailed,
          { id: 'Kirim berkas CSV dengan Content-Type text/csv.', en: 'Send a CSV file with Content-Type text/csv.' },
          [{ path: 'body', message: 'text/csv', code: 'invalid_type' }],
        );
      }
      const result = await importApplications(db, {
        csv: req.body,
        actor: actorOf(auth),
        dryRun: query.dryRun,
        audit: auditContext(req, res),
      });
      if (!query.dryRun && result.errors.length > 0) {
        throw new AppError(
          ErrorCode.ValidationFailed,
          {
            id: `Impor dibatalkan: ${result.errors.length} kesalahan; tidak ada yang disimpan.`,
            en: `Import cancelled: ${result.errors.length} errors; nothing was saved.`,
          },
          result.errors,
        );
      }
      return result;
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/applications/{id}',
      tag: 'applications',
      summary: 'Detail aplikasi / application',
      access: 'user',
      params: ZIdParam,
      response: ZApplication,
    },
    async ({ auth, params }) => toApplicationDto(await visibleApplication(auth, params.id)),
  );

  route(
    router,
    registry,
    {
      method: 'patch',
      path: '/applications/{id}',
      tag: 'applications',
      summary: 'Ubah aplikasi / update an application',
      access: 'user',
      params: ZIdParam,
      body: ZUpdateApplicationBody,
      response: ZApplication,
    },
    async ({ req, res, auth, params, body }) => {
      const before = await visibleApplication(auth, params.id);
      assertMayWriteApplications(actorOf(auth), before.institutionId);
      try {
        return await db.transaction().execute(async (tx) => {
          const after = (await updateApplication(tx, params.id, body))!;
          await appendAudit(tx, {
            ...auditContext(req, res),
            institutionId: after.institutionId,
            action: 'application.updated',
            targetType: 'application',
            targetId: after.id,
            before: toApplicationDto(before),
            after: toApplicationDto(after),
          });
          return toApplicationDto(after);
        });
      } catch (error) {
        throw isUniqueViolation(error) ? nameTaken(body.name ?? before.name) : error;
      }
    },
  );

  route(
    router,
    registry,
    {
      method: 'delete',
      path: '/applications/{id}',
      tag: 'applications',
      summary: 'Hapus aplikasi / delete an application',
      access: 'user',
      params: ZIdParam,
    },
    async ({ req, res, auth, params }) => {
      const before = await visibleApplication(auth, params.id);
      assertMayWriteApplications(actorOf(auth), before.institutionId);
      await db.transaction().execute(async (tx) => {
        if (await isApplicationReferenced(tx, params.id)) {
          throw new AppError(ErrorCode.InvalidState, {
            id: 'Aplikasi dipakai oleh permintaan VPS atau perjanjian; ubah statusnya menjadi retired.',
            en: 'The application is used by a VPS request or an agreement; set its status to retired instead.',
          });
        }
        await deleteApplication(tx, params.id);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: before.institutionId,
          action: 'application.deleted',
          targetType: 'application',
          targetId: before.id,
          before: toApplicationDto(before),
        });
      });
      return undefined;
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/institutions/{id}/applications/summary.pdf',
      tag: 'applications',
      summary: 'Ringkasan inventaris (PDF) / printable inventory summary',
      access: 'user',
      params: ZIdParam,
      writes: 'application/pdf',
    },
    async ({ res, auth, params }) => {
      const institution = await visibleInstitution(db, actorOf(auth), params.id);
      const rows = await listApplicationsForExport(db, institution.id);
      const pdf = await renderInventorySummaryPdf({
        institution: { code: institution.code, name: institution.name },
        generatedAt: new Date(),
        applications: rows.map((r) => ({ ...r, developer: r.developerName ? `${r.developerType}: ${r.developerName}` : r.developerType })),
      });
      res.status(200).type('application/pdf').attachment(`inventaris-${institution.code}.pdf`).send(pdf);
    },
  );
}
