import {
  AppError,
  ErrorCode,
  Role,
  ZAdoptBody,
  ZAdoptResult,
  ZEstateDecisionBody,
  ZEstateExportQuery,
  ZEstateImportQuery,
  ZEstateImportResult,
  ZEstateList,
  ZEstateVm,
  ZIdParam,
  ZQueuedRun,
  ZReleaseBody,
  ZVmidParam,
} from '@betang/core';
import { appendAudit, enqueueJob } from '@betang/db';
import express from 'express';
import { z } from 'zod';
import { actorOf, auditContext, locals } from '../http/context';
import { route } from '../http/route';
import { adoptVm } from '../use-cases/estate/adopt-vm';
import { estateToCsv, importEstateCsv } from '../use-cases/estate/estate-csv';
import { recordDecisions, releaseVm } from '../use-cases/estate/estate-decisions';
import { loadEstateWorld, toEstateVmDto } from '../use-cases/estate/estate-world';
import type { RoutesContext } from './router-context';

/** Who takes the census and adopts: the data center's operators (and admins). */
const ADOPTERS = [Role.Admin, Role.Operator];
/** Largest CSV body `POST /estate/import` accepts. */
const CSV_IMPORT_LIMIT = '2mb';

/**
 * The census of VMs Betang does not own (what the worker's `estate.census` recorded), conflicts
 * and their decisions, adoption one at a time or in bulk from the CSV mapping, and the release of
 * an adopted VM. Operators and admins only: the census spans every institution.
 */
export function estateRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/estate',
      tag: 'estate',
      summary: 'Sensus VM tanpa pemilik / census of VMs Betang does not own',
      access: ADOPTERS,
      response: ZEstateList,
    },
    async () => {
      const world = await loadEstateWorld(db);
      const newest = world.census.reduce<Date | null>((acc, v) => (!acc || v.observedAt > acc ? v.observedAt : acc), null);
      return { items: world.census.map((vm) => toEstateVmDto(world, vm)), observedAt: newest?.toISOString() ?? null };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/estate/census',
      tag: 'estate',
      summary: 'Minta sensus ulang / ask the worker for a new census',
      access: ADOPTERS,
      body: z.strictObject({}),
      status: 202,
    },
    async ({ req, res }) => {
      await db.transaction().execute(async (tx) => {
        await enqueueJob(tx, 'estate.census', {}, { dedupKey: `estate-census:${Math.floor(Date.now() / 10_000)}` });
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: null,
          action: 'estate.census_requested',
          targetType: 'estate',
          targetId: 'census',
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
      path: '/estate/export.csv',
      tag: 'estate',
      summary: 'Ekspor pemetaan sensus (CSV) / export the census mapping',
      access: ADOPTERS,
      query: ZEstateExportQuery,
      writes: 'text/csv',
    },
    async ({ res, query }) => {
      const locale = query.lang ?? locals(res).locale;
      res
        .status(200)
        .type('text/csv; charset=utf-8')
        .attachment(locale === 'en' ? 'vm-census.csv' : 'sensus-vm.csv')
        .send(await estateToCsv(db, locale));
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/estate/import',
      tag: 'estate',
      summary: 'Adopsi massal dari CSV (dryRun) / bulk adoption from the CSV mapping',
      access: ADOPTERS,
      query: ZEstateImportQuery,
      response: ZEstateImportResult,
      bodyReader: express.text({ type: ['text/csv', 'application/csv'], limit: CSV_IMPORT_LIMIT }),
    },
    async ({ req, res, auth, query }) => {
      if (typeof req.body !== 'string')
        throw new AppError(
          ErrorCode.ValidationFailed,
          { id: 'Kirim berkas CSV dengan Content-Type text/csv.', en: 'Send a CSV file with Content-Type text/csv.' },
          [{ path: 'body', message: 'text/csv', code: 'invalid_type' }],
        );
      const result = await importEstateCsv(db, { csv: req.body, actor: actorOf(auth), dryRun: query.dryRun, meta: auditContext(req, res) });
      if (!query.dryRun && result.errors.length > 0)
        throw new AppError(
          ErrorCode.ValidationFailed,
          {
            id: `Impor dibatalkan: ${result.errors.length} kesalahan; tidak ada VM yang diadopsi.`,
            en: `Import cancelled: ${result.errors.length} errors; no VM was adopted.`,
          },
          result.errors,
        );
      return result;
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/estate/{vmid}/decisions',
      tag: 'estate',
      summary: 'Catat keputusan konflik / record decisions on a VM’s conflicts',
      access: ADOPTERS,
      params: ZVmidParam,
      body: ZEstateDecisionBody,
      response: ZEstateVm,
    },
    async ({ req, res, auth, params, body }) =>
      db.transaction().execute((tx) => recordDecisions(tx, actorOf(auth), params.vmid, body, auditContext(req, res))),
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/estate/{vmid}/adopt',
      tag: 'estate',
      summary: 'Adopsi VM / adopt a VM under an institution and application',
      access: ADOPTERS,
      params: ZVmidParam,
      body: ZAdoptBody,
      response: ZAdoptResult,
      status: 201,
    },
    async ({ req, res, auth, params, body }) =>
      db.transaction().execute((tx) => adoptVm(tx, actorOf(auth), { vmid: params.vmid, ...body }, auditContext(req, res))),
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/release',
      tag: 'vms',
      summary: 'Lepaskan VM adopsi dari Betang / release an adopted VM (the VM itself stays)',
      access: ADOPTERS,
      scope: 'operate',
      params: ZIdParam,
      body: ZReleaseBody,
      response: ZQueuedRun,
      status: 202,
    },
    async ({ req, res, auth, params, body }) =>
      db.transaction().execute((tx) => releaseVm(tx, actorOf(auth), params.id, body.reason, auditContext(req, res))),
  );
}
