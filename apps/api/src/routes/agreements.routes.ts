import {
  AppError,
  ErrorCode,
  Role,
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
} from '@betang/core';
import { appendAudit, findAgreementDocument, findAgreementMeta, listAgreementApplications, listAgreementSignatures, listAgreements, lockAgreement, revokeAgreement, type Db } from '@betang/db';
import express from 'express';
import { z } from 'zod';
import { actorOf, auditContext, type Authentication } from '../http/context';
import { decodeCursor, encodeCursor, ZCursorTimestamp } from '../http/cursor';
import { route } from '../http/route';
import { toAgreementDto, toAgreementSummary } from '../use-cases/agreement-view';
import { listScope } from '../use-cases/application-access';
import { attachSignedDocument } from '../use-cases/attach-signed-document';
import { createAgreement } from '../use-cases/create-agreement';
import { MAX_UPLOADED_PDF_BYTES } from '../use-cases/document-rejection';
import { signAgreement } from '../use-cases/sign-agreement';
import type { RoutesContext } from './router-context';

/** Parses an `application/pdf` (or octet-stream) body up to the upload limit; larger → 413. */
export const pdfBody = express.raw({ type: ['application/pdf', 'application/octet-stream'], limit: MAX_UPLOADED_PDF_BYTES });

async function detail(db: Db, auth: Authentication, id: string, publicUrl: string) {
  const meta = await findAgreementMeta(db, id);
  if (!meta || !canSeeInstitution(actorOf(auth), meta.institutionId)) throw new AppError(ErrorCode.NotFound);
  const [applications, signatures] = await Promise.all([listAgreementApplications(db, id), listAgreementSignatures(db, id)]);
  return toAgreementDto(meta, applications, signatures, publicUrl, auth.user.name);
}

/** Server-utilization agreements: generation, signing in order, external signed documents, revocation. */
export function agreementRoutes({ router, registry, deps }: RoutesContext): void {
  const { db, config } = deps;

  route(router, registry, { method: 'post', path: '/agreements', tag: 'agreements', summary: 'Buat perjanjian / generate an agreement', access: [Role.Admin, Role.Operator], body: ZCreateAgreementBody, response: ZAgreement, status: 201 }, async ({ req, res, auth, body }) => {
    const id = await createAgreement(db, { body, actorUserId: auth.user.id, audit: auditContext(req, res), publicUrl: config.PUBLIC_URL });
    return detail(db, auth, id, config.PUBLIC_URL);
  });

  route(router, registry, { method: 'get', path: '/agreements', tag: 'agreements', summary: 'Daftar perjanjian / list agreements', access: 'user', query: ZAgreementListQuery, response: zPage(ZAgreementSummary) }, async ({ auth, query }) => {
    const institutionId = listScope(actorOf(auth), query.institutionId);
    const before = decodeCursor(z.object({ createdAt: ZCursorTimestamp, id: z.uuid() }), query.cursor);
    const rows = await listAgreements(db, { institutionId, status: query.status, limit: query.limit + 1, before });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { items: page.map((m) => toAgreementSummary(m)), nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null };
  });

  route(router, registry, { method: 'get', path: '/agreements/{id}', tag: 'agreements', summary: 'Detail perjanjian / agreement', access: 'user', params: ZIdParam, response: ZAgreement }, async ({ auth, params }) =>
    detail(db, auth, params.id, config.PUBLIC_URL),
  );

  route(router, registry, { method: 'get', path: '/agreements/{id}/document', tag: 'agreements', summary: 'Unduh PDF perjanjian / download the PDF as it stands', access: 'user', params: ZIdParam, raw: true }, async ({ res, auth, params }) => {
    const meta = await findAgreementMeta(db, params.id);
    if (!meta || !canSeeInstitution(actorOf(auth), meta.institutionId)) throw new AppError(ErrorCode.NotFound);
    const doc = (await findAgreementDocument(db, params.id))!;
    res.set('X-Document-SHA256', doc.sha256).set('Cache-Control', 'private, no-store');
    res.status(200).type('application/pdf').attachment(`perjanjian-${doc.number.replace(/[^A-Za-z0-9.-]+/g, '-')}.pdf`).send(doc.document);
  });

  route(router, registry, { method: 'post', path: '/agreements/{id}/signatures', tag: 'agreements', summary: 'Tanda tangani (autentikasi ulang) / sign now (re-authentication)', access: [Role.InstitutionHead, Role.DcHead], params: ZIdParam, body: ZSignAgreementBody, response: ZAgreement, status: 201 }, async ({ req, res, auth, params, body }) => {
    await signAgreement(db, { agreementId: params.id, user: auth.user, body, audit: auditContext(req, res), masterSecret: config.SIGNING_MASTER_SECRET });
    return detail(db, auth, params.id, config.PUBLIC_URL);
  });

  route(router, registry, { method: 'post', path: '/agreements/{id}/signed-document', tag: 'agreements', summary: 'Lampirkan PDF yang ditandatangani di luar / attach an externally signed PDF', access: 'user', params: ZIdParam, response: ZAgreement, bodyReader: pdfBody }, async ({ req, res, auth, params }) => {
    await attachSignedDocument(db, { agreementId: params.id, actor: actorOf(auth), body: req.body as unknown, audit: auditContext(req, res) });
    return detail(db, auth, params.id, config.PUBLIC_URL);
  });

  route(router, registry, { method: 'post', path: '/agreements/{id}/revoke', tag: 'agreements', summary: 'Cabut perjanjian / revoke', access: [Role.Admin], params: ZIdParam, body: ZRevokeAgreementBody, response: ZAgreement }, async ({ req, res, auth, params, body }) => {
    await db.transaction().execute(async (tx) => {
      const agreement = await lockAgreement(tx, params.id);
      if (!agreement) throw new AppError(ErrorCode.NotFound);
      if (!canTransitionAgreement(agreement.status, 'revoked')) throw new AppError(ErrorCode.InvalidState, { id: 'Perjanjian ini sudah berakhir atau dicabut.', en: 'This agreement has already ended or been revoked.' });
      await revokeAgreement(tx, agreement.id, body.reason);
      await appendAudit(tx, { ...auditContext(req, res), institutionId: agreement.institutionId, action: 'agreement.revoked', targetType: 'agreement', targetId: agreement.id, before: { status: agreement.status }, after: { status: 'revoked', reason: body.reason } });
    });
    return detail(db, auth, params.id, config.PUBLIC_URL);
  });
}
