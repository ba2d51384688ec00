import { AppError, ErrorCode, ZVerificationCodeParam, ZVerificationResult } from '@betang/core';
import { findAgreementByVerificationCode, listAgreementSignatures } from '@betang/db';
import type { RequestHandler } from 'express';
import { route } from '../http/route';
import { verificationPage } from '../use-cases/verification-page';
import { recordedVerification, verifyAgreementDocument } from '../use-cases/verify-agreement-document';
import { requirePdfBody } from '../use-cases/document-rejection';
import { pdfBody } from './agreements.routes';
import type { RoutesContext } from './router-context';

/** Requests per client IP and minute the public verification endpoints serve before 429. */
export const VERIFY_REQUESTS_PER_MINUTE = 60;

/**
 * A fixed-window limiter per client IP, in memory (per API process): enough to stop scripted
 * guessing of codes or floods of uploads to a public, unauthenticated endpoint.
 */
export function perIpLimiter(limit: number, windowMs = 60_000): RequestHandler {
  const hits = new Map<string, { count: number; resetAt: number }>();
  return (req, res, next) => {
    const now = Date.now();
    if (hits.size > 10_000) for (const [ip, h] of hits) if (h.resetAt <= now) hits.delete(ip);
    const key = req.ip ?? 'unknown';
    const entry = hits.get(key);
    const current = entry && entry.resetAt > now ? entry : { count: 0, resetAt: now + windowMs };
    current.count++;
    hits.set(key, current);
    if (current.count > limit) {
      res.set('Retry-After', String(Math.ceil((current.resetAt - now) / 1000)));
      next(new AppError(ErrorCode.RateLimited));
      return;
    }
    next();
  };
}

/** Public verification of agreements: no login, names and roles only, rate- and size-limited. */
export function verifyRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  const limiter = perIpLimiter(VERIFY_REQUESTS_PER_MINUTE);
  router.use('/verify', limiter);
  router.post('/verify', pdfBody);

  route(router, registry, { method: 'post', path: '/verify', tag: 'verify', summary: 'Periksa keaslian PDF perjanjian / verify an agreement PDF', access: 'public', response: ZVerificationResult }, async ({ req }) =>
    verifyAgreementDocument(db, requirePdfBody(req.body)),
  );

  route(router, registry, { method: 'get', path: '/verify/{code}', tag: 'verify', summary: 'Status perjanjian dari kode QR (JSON, atau HTML untuk peramban) / agreement status by QR code', access: 'public', params: ZVerificationCodeParam, response: ZVerificationResult }, async ({ req, res, params }) => {
    const meta = await findAgreementByVerificationCode(db, params.code);
    if (!meta) throw new AppError(ErrorCode.NotFound);
    res.set('Cache-Control', 'no-store').vary('Accept');
    const result = recordedVerification({ meta, signatures: await listAgreementSignatures(db, meta.id) });
    if (req.accepts(['json', 'html']) === 'html') {
      res.status(200).type('html').send(verificationPage(result));
      return undefined;
    }
    return result;
  });
}
