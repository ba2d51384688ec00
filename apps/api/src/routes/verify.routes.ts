import { AppError, ErrorCode, ZVerificationCodeParam, ZVerificationResult } from '@betang/core';
import { findAgreementByVerificationCode, listAgreementSignatures } from '@betang/db';
import { route } from '../http/route';
import { DEFAULT_RATE_LIMITS, perIpRateLimit, RateLimiter } from '../security/rate-limit';
import { verificationPage } from '../use-cases/verification-page';
import { recordedVerification, verifyAgreementDocument } from '../use-cases/verify-agreement-document';
import { requirePdfBody } from '../use-cases/document-rejection';
import { NO_TRUST_ROOTS } from '../use-cases/signature-trust';
import { pdfBody } from './agreements.routes';
import type { RoutesContext } from './router-context';

/**
 * Public verification of agreements: no login, names and roles only, size-limited and
 * rate-limited per client IP across every API instance (PostgreSQL buckets; docs/security.md).
 */
export function verifyRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  const verifyDeps = { verifier: deps.pdfVerifier, trust: deps.signatureTrust ?? NO_TRUST_ROOTS };
  router.use('/verify', perIpRateLimit(new RateLimiter(db, deps.logger), deps.rateLimits?.verifyPerIp ?? DEFAULT_RATE_LIMITS.verifyPerIp));
  router.post('/verify', pdfBody);

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/verify',
      tag: 'verify',
      summary: 'Periksa keaslian PDF perjanjian / verify an agreement PDF',
      access: 'public',
      response: ZVerificationResult,
    },
    async ({ req }) => verifyAgreementDocument(db, requirePdfBody(req.body), verifyDeps),
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/verify/{code}',
      tag: 'verify',
      summary: 'Status perjanjian dari kode QR (JSON, atau HTML untuk peramban) / agreement status by QR code',
      access: 'public',
      params: ZVerificationCodeParam,
      response: ZVerificationResult,
      writes: 'text/html',
    },
    async ({ req, res, params }) => {
      const meta = await findAgreementByVerificationCode(db, params.code);
      if (!meta) throw new AppError(ErrorCode.NotFound);
      res.set('Cache-Control', 'no-store').vary('Accept');
      const result = recordedVerification({ meta, signatures: await listAgreementSignatures(db, meta.id) });
      if (req.accepts(['json', 'html']) === 'html') {
        res.status(200).type('html').send(verificationPage(result));
        return undefined;
      }
      return result;
    },
  );
}
