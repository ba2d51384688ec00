import {
  AppError,
  ErrorCode,
  Role,
  ZAcceptSignedDocumentBody,
  ZAgreement,
  ZAgreementListQuery,
  ZAgreementSummary,
  ZCreateAgreementBody,
  ZIdParam,
  ZRevokeAgreementBody,
  ZSignAgreementBody,
  canSeeInstitution,
  canTransitionAgreement,
  zPage,
  likePattern,
  plusDaysIso,
  todayInJakarta,
} from '@betang/core';
import {
  appendAudit,
  findAgreementDocument,
  findAgreementMeta,
  agreementsWithPendingDocument,
  findPendingDocument,
  findPendingDocumentBytes,
  listAgreementApplications,
  listAgreementSignatures,
  listAgreements,
  lockAgreement,
  revokeAgreement,
  type Db,
} from '@betang/db';
import express from 'express';
import { z } from 'zod';
import { actorOf, auditContext, locals, type Authentication } from '../http/context';
import { decodeCursor, encodeCursor, ZCursorTimestamp } from '../http/cursor';
import { route, withStatus } from '../http/route';
import { toAgreementDto, toAgreementSummary } from '../use-cases/agreement-view';
import { listScope } from '../use-cases/application-access';
import { acceptSignedDocument, attachSignedDocument, discardSignedDocument } from '../use-cases/attach-signed-document';
import { NO_TRUST_ROOTS } from '../use-cases/signature-trust';
import { createAgreement } from '../use-cases/create-agreement';
import { MAX_UPLOADED_PDF_BYTES } from '../use-cases/document-rejection';
import { signAgreement } from '../use-cases/sign-agreement';
import type { RoutesContext } from './router-context';

/** Parses an `application/pdf` (or octet-stream) body up to the upload limit; larger → 413. */
export const pdfBody = express.raw({ type: ['application/pdf', 'application/octet-stream'], limit: MAX_UPLOADED_PDF_BYTES });

async function detail(db: Db, auth: Authentication, id: string, publicUrl: string) {
  const meta = await findAgreementMeta(db, id);
  if (!meta || !canSeeInstitution(actorOf(auth), meta.institutionId)) throw new AppError(ErrorCode.NotFound);
  const [applications, signatures, pending] = await Promise.all([
    listAgreementApplications(db, id),
    listAgreementSignatures(db, id),
    findPendingDocument(db, id),
  ]);
  return toAgreementDto(meta, applications, signatures, publicUrl, auth.user.name, pending);
}

/** Server-utilization agreements: generation, signing in order, external signed documents, revocation. */
export function agreementRoutes({ router, registry, deps }: RoutesContext): void {
  const { db, config } = deps;
  const verifier = deps.pdfVerifier;
  const trust = deps.signatureTrust ?? NO_TRUST_ROOTS;

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/agreements',
      tag: 'agreements',
      summary: 'Buat perjanjian / generate an agreement',
      access: [Role.Admin, Role.Operator],
      body: ZCreateAgreementBody,
      response: ZAgreement,
      status: 201,
    },
    async ({ req, res, auth, body }) => {
      const id = await createAgreement(db, {
        body,
        actorUserId: auth.user.id,
        audit: auditContext(req, res),
        publicUrl: config.PUBLIC_URL,
      });
      return detail(db, auth, id, config.PUBLIC_URL);
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/agreements',
      tag: 'agreements',
      summary: 'Daftar perjanjian / list agreements',
      access: 'user',
      query: ZAgreementListQuery,
      response: zPage(ZAgreementSummary),
    },
    async ({ auth, query }) => {
      const institutionId = listScope(actorOf(auth), query.institutionId);
      const before = decodeCursor(z.object({ createdAt: ZCursorTimestamp, id: z.uuid() }), query.cursor);
      const today = todayInJakarta();
      const rows = await listAgreements(db, {
        institutionId,
        status: query.status,
        inForceEnding: query.expiringWithinDays === undefined ? undefined : { today, until: plusDaysIso(today, query.expiringWithinDays) },
        textLike: query.q ? likePattern(query.q) : undefined,
        limit: query.limit + 1,
        before,
      });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      const pending = await agreementsWithPendingDocument(
        db,
        page.map((m) => m.id),
      );
      return {
        items: page.map((m) => ({ ...toAgreementSummary(m), hasPendingDocument: pending.has(m.id) })),
        nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/agreements/{id}',
      tag: 'agreements',
      summary: 'Detail perjanjian / agreement',
      access: 'user',
      params: ZIdParam,
      response: ZAgreement,
    },
    async ({ auth, params }) => detail(db, auth, params.id, config.PUBLIC_URL),
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/agreements/{id}/document',
      tag: 'agreements',
      summary: 'Unduh PDF perjanjian / download the PDF as it stands',
      access: 'user',
      params: ZIdParam,
      writes: 'application/pdf',
    },
    async ({ res, auth, params }) => {
      const meta = await findAgreementMeta(db, params.id);
      if (!meta || !canSeeInstitution(actorOf(auth), meta.institutionId)) throw new AppError(ErrorCode.NotFound);
      const doc = (await findAgreementDocument(db, params.id))!;
      res.set('X-Document-SHA256', doc.sha256).set('Cache-Control', 'private, no-store');
      res
        .status(200)
        .type('application/pdf')
        .attachment(`perjanjian-${doc.number.replace(/[^A-Za-z0-9.-]+/g, '-')}.pdf`)
        .send(doc.document);
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/agreements/{id}/signatures',
      tag: 'agreements',
      summary: 'Tanda tangani (autentikasi ulang) / sign now (re-authentication)',
      access: [Role.InstitutionHead, Role.DcHead],
      params: ZIdParam,
      body: ZSignAgreementBody,
      response: ZAgreement,
      status: 201,
    },
    async ({ req, res, auth, params, body }) => {
      await signAgreement(db, {
        agreementId: params.id,
        user: auth.user,
        body,
        ssoReauth: auth.sessionReauth,
        audit: auditContext(req, res),
        masterSecret: config.SIGNING_MASTER_SECRET,
        passwordDisabledRoles: config.OIDC_PASSWORD_DISABLED_ROLES,
        logger: locals(res).log,
      });
      return detail(db, auth, params.id, config.PUBLIC_URL);
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/agreements/{id}/signed-document',
      tag: 'agreements',
      summary:
        'Lampirkan PDF yang ditandatangani di luar (200 berlaku; 202 menunggu penerimaan operator) / attach an externally signed PDF (200 in force; 202 waiting for an operator)',
      access: 'user',
      params: ZIdParam,
      response: ZAgreement,
      bodyReader: pdfBody,
    },
    async ({ req, res, auth, params }) => {
      const outcome = await attachSignedDocument(db, {
        agreementId: params.id,
        actor: actorOf(auth),
        actorUserId: auth.user.id,
        body: req.body as unknown,
        audit: auditContext(req, res),
        verifier,
        trust,
      });
      const dto = await detail(db, auth, params.id, config.PUBLIC_URL);
      return outcome === 'pending_acceptance' ? withStatus(202, dto) : dto;
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/agreements/{id}/signed-document/pending',
      tag: 'agreements',
      summary: 'Unduh PDF yang menunggu penerimaan (204 bila tidak ada) / download the PDF waiting for acceptance (204 when none)',
      access: 'user',
      params: ZIdParam,
      writes: 'application/pdf',
    },
    async ({ res, auth, params }) => {
      const meta = await findAgreementMeta(db, params.id);
      if (!meta || !canSeeInstitution(actorOf(auth), meta.institutionId)) throw new AppError(ErrorCode.NotFound);
      const pending = await findPendingDocumentBytes(db, params.id);
      // Nothing waiting is an answer about a visible agreement, not a missing resource.
      if (!pending) {
        res.status(204).end();
        return;
      }
      res.set('X-Document-SHA256', pending.sha256).set('Cache-Control', 'private, no-store');
      res
        .status(200)
        .type('application/pdf')
        .attachment(`menunggu-${meta.number.replace(/[^A-Za-z0-9.-]+/g, '-')}.pdf`)
        .send(pending.document);
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/agreements/{id}/signed-document/accept',
      tag: 'agreements',
      summary:
        'Terima PDF bertanda tangan luar yang menunggu (bukan oleh pengunggahnya) / accept the pending externally signed PDF (not by its uploader)',
      access: [Role.Operator, Role.Admin],
      params: ZIdParam,
      body: ZAcceptSignedDocumentBody,
      response: ZAgreement,
    },
    async ({ req, res, auth, params, body }) => {
      await acceptSignedDocument(db, {
        agreementId: params.id,
        actorUserId: auth.user.id,
        sha256: body.sha256,
        audit: auditContext(req, res),
      });
      return detail(db, auth, params.id, config.PUBLIC_URL);
    },
  );

  route(
    router,
    registry,
    {
      method: 'delete',
      path: '/agreements/{id}/signed-document/pending',
      tag: 'agreements',
      summary: 'Buang PDF yang menunggu penerimaan / discard the PDF waiting for acceptance',
      access: [Role.Operator, Role.Admin],
      params: ZIdParam,
      response: ZAgreement,
    },
    async ({ req, res, auth, params }) => {
      await discardSignedDocument(db, { agreementId: params.id, audit: auditContext(req, res) });
      return detail(db, auth, params.id, config.PUBLIC_URL);
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/agreements/{id}/revoke',
      tag: 'agreements',
      summary: 'Cabut perjanjian / revoke',
      access: [Role.Admin],
      params: ZIdParam,
      body: ZRevokeAgreementBody,
      response: ZAgreement,
    },
    async ({ req, res, auth, params, body }) => {
      await db.transaction().execute(async (tx) => {
        const agreement = await lockAgreement(tx, params.id);
        if (!agreement) throw new AppError(ErrorCode.NotFound);
        if (!canTransitionAgreement(agreement.status, 'revoked'))
          throw new AppError(ErrorCode.InvalidState, {
            id: 'Perjanjian ini sudah berakhir atau dicabut.',
            en: 'This agreement has already ended or been revoked.',
          });
        await revokeAgreement(tx, agreement.id, body.reason);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: agreement.institutionId,
          action: 'agreement.revoked',
          targetType: 'agreement',
          targetId: agreement.id,
          before: { status: agreement.status },
          after: { status: 'revoked', reason: body.reason },
        });
      });
      return detail(db, auth, params.id, config.PUBLIC_URL);
    },
  );
}
