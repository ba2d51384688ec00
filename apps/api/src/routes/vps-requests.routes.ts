import {
  AppError,
  DATA_CENTER_ROLES,
  ErrorCode,
  INSTITUTION_ROLES,
  Role,
  ZApproveBody,
  ZCancelBody,
  ZIdParam,
  ZListRequestsQuery,
  ZRejectBody,
  ZRequestPrecheck,
  ZRequestPrecheckQuery,
  ZRequestQueuePosition,
  ZReviewChecks,
  ZSubmitRequestBody,
  ZVpsRequest,
  canSeeInstitution,
  likePattern,
  seesAllInstitutions,
  wibDayBounds,
  zPage,
} from '@betang/core';
import { listVpsRequests, type VpsRequestRow } from '@betang/db';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { actorOf, auditContext } from '../http/context';
import { decodeCursor, encodeCursor, ZCursorTimestamp } from '../http/cursor';
import { requestViewFor } from '../http/institution-view';
import { route, type RouteScope } from '../http/route';
import { cancelVpsRequest } from '../use-cases/vps-requests/cancel-vps-request';
import { approveVpsRequest, rejectVpsRequest } from '../use-cases/vps-requests/decide-vps-request';
import { findRequestWithView, loadRequestView } from '../use-cases/vps-requests/request-view';
import { requestPrecheck } from '../use-cases/vps-requests/request-precheck';
import { requestQueuePosition } from '../use-cases/vps-requests/request-queue-position';
import { REFUSING, reviewChecks } from '../use-cases/vps-requests/review-checks';
import { retryVpsRequest } from '../use-cases/vps-requests/retry-vps-request';
import { assertInternetAccessOffered, internetAccessMechanism } from '../use-cases/internet/internet-access';
import { submitVpsRequest } from '../use-cases/vps-requests/submit-vps-request';
import type { RoutesContext } from './router-context';

const ZCursor = z.object({ createdAt: ZCursorTimestamp, id: z.uuid() });

/** VPS requests: submit, read (own institution; operators all), decide, cancel. */
export function vpsRequestRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  const view = async (auth: Parameters<typeof actorOf>[0], id: string) =>
    requestViewFor(actorOf(auth), (await findRequestWithView(db, id))!.view);

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vps-requests',
      tag: 'vps-requests',
      summary: 'Daftar permintaan VPS / list VPS requests',
      access: 'user',
      query: ZListRequestsQuery,
      response: zPage(ZVpsRequest),
    },
    async ({ auth, query }) => {
      const actor = actorOf(auth);
      const institutionId = seesAllInstitutions(actor) ? query.institutionId : (actor.institutionId ?? undefined);
      if (!seesAllInstitutions(actor) && query.institutionId && query.institutionId !== actor.institutionId)
        throw new AppError(ErrorCode.NotFound);
      const rows = await listVpsRequests(db, {
        institutionId,
        status: query.status,
        ...wibDayBounds(query),
        ...(query.hostname ? { hostnameLike: likePattern(query.hostname) } : {}),
        ...(query.address ? { addressLike: likePattern(query.address) } : {}),
        ...(query.q ? { textLike: likePattern(query.q) } : {}),
        limit: query.limit + 1,
        after: decodeCursor(ZCursor, query.cursor),
      });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      // `runs=none`: a list row needs the latest run (`run`), so the history is not even read.
      const history = query.runs === 'all';
      return {
        items: (await Promise.all(page.map((r) => loadRequestView(db, r, { history })))).map((v) => requestViewFor(actor, v)),
        nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
      };
    },
  );

  // Before '/vps-requests/{id}' so 'precheck' is never taken for an id.
  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vps-requests/precheck',
      tag: 'vps-requests',
      summary: 'Apa yang menghalangi pengajuan / what blocks submitting a request',
      access: INSTITUTION_ROLES,
      query: ZRequestPrecheckQuery,
      response: ZRequestPrecheck,
    },
    ({ auth, query }) => requestPrecheck(db, actorOf(auth), query),
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vps-requests/{id}',
      tag: 'vps-requests',
      summary: 'Detail permintaan VPS / a VPS request',
      access: 'user',
      params: ZIdParam,
      response: ZVpsRequest,
    },
    async ({ auth, params }) => {
      const found = deps.requestViewCache
        ? await deps.requestViewCache.read(params.id)
        : await findRequestWithView(db, params.id).then((f) => f && { institutionId: f.request.institutionId, view: f.view });
      // Checked on every read, cached or not: an entry never reaches another institution.
      if (!found || !canSeeInstitution(actorOf(auth), found.institutionId)) throw new AppError(ErrorCode.NotFound);
      return requestViewFor(actorOf(auth), found.view);
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vps-requests/{id}/checks',
      tag: 'vps-requests',
      summary: 'Pemeriksaan sebelum persetujuan / review checks before approval',
      access: DATA_CENTER_ROLES,
      params: ZIdParam,
      response: ZReviewChecks,
    },
    async ({ params }) => {
      const found = await findRequestWithView(db, params.id);
      if (!found) throw new AppError(ErrorCode.NotFound);
      const checks = (await reviewChecks(db, found.request)).map((c) => ({ ...c, blocking: REFUSING.includes(c.key) }));
      return { checks, approvable: !checks.some((c) => c.blocking && c.status === 'failed') };
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vps-requests/{id}/queue',
      tag: 'vps-requests',
      summary: 'Posisi dalam antrean persetujuan / place in the approval queue',
      access: 'user',
      params: ZIdParam,
      response: ZRequestQueuePosition,
    },
    async ({ auth, params }) => {
      const found = await findRequestWithView(db, params.id);
      if (!found || !canSeeInstitution(actorOf(auth), found.request.institutionId)) throw new AppError(ErrorCode.NotFound);
      return requestQueuePosition(db, found.request);
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vps-requests',
      tag: 'vps-requests',
      summary: 'Ajukan VPS / submit a VPS request',
      access: INSTITUTION_ROLES,
      body: ZSubmitRequestBody,
      response: ZVpsRequest,
      status: 201,
    },
    async ({ req, res, auth, body }) => {
      assertInternetAccessOffered(body.network.publicAccess, internetAccessMechanism(deps.config));
      const request = await db.transaction().execute((tx) => submitVpsRequest(tx, actorOf(auth), body, auditContext(req, res)));
      return view(auth, request.id);
    },
  );

  // Decisions of the data-center office need a token's `operate` scope; the requester's cancel needs `requests:write`.
  const decision = <B extends z.ZodType>(
    action: string,
    summary: string,
    body: B,
    access: readonly Role[],
    scope: RouteScope,
    perform: (req: Request, res: Response, auth: Parameters<typeof actorOf>[0], id: string, body: z.infer<B>) => Promise<VpsRequestRow>,
  ) =>
    route(
      router,
      registry,
      {
        method: 'post',
        path: `/vps-requests/{id}/${action}`,
        tag: 'vps-requests',
        summary,
        access,
        scope,
        params: ZIdParam,
        body,
        response: ZVpsRequest,
      },
      async ({ req, res, auth, params, body: input }) => {
        const request = await perform(req, res, auth, params.id, input as z.infer<B>);
        return view(auth, request.id);
      },
    );

  decision(
    'approve',
    'Setujui / approve',
    ZApproveBody,
    DATA_CENTER_ROLES.filter((r) => r !== Role.Auditor),
    'operate',
    (req, res, auth, id, input) =>
      db.transaction().execute((tx) => approveVpsRequest(tx, actorOf(auth), id, input.comment, auditContext(req, res))),
  );
  decision(
    'reject',
    'Tolak dengan alasan / reject with a reason',
    ZRejectBody,
    DATA_CENTER_ROLES.filter((r) => r !== Role.Auditor),
    'operate',
    (req, res, auth, id, input) =>
      db.transaction().execute((tx) => rejectVpsRequest(tx, actorOf(auth), id, input.reason, auditContext(req, res))),
  );
  decision(
    'retry',
    'Ulangi penyiapan atau penghapusan yang gagal / retry a failed provisioning or destruction',
    z.strictObject({}),
    [Role.Admin, Role.Operator],
    'operate',
    (req, res, _auth, id) => db.transaction().execute((tx) => retryVpsRequest(tx, id, auditContext(req, res))),
  );
  decision(
    'cancel',
    'Batalkan (pemohon) / cancel (requester)',
    ZCancelBody,
    INSTITUTION_ROLES,
    'requests:write',
    (req, res, auth, id, input) =>
      db.transaction().execute((tx) => cancelVpsRequest(tx, actorOf(auth), id, input.reason, auditContext(req, res))),
  );
}
