import { AppError, ErrorCode, Role, canSeeInstitution, canTransitionAgreement, hasAnyRole, nextSignerRole, type Actor } from '@betang/core';
import { appendAudit, findAgreementMeta, findSigningCa, insertAgreementSignature, listAgreementSignatures, lockAgreement, updateAgreementDocument, type Db } from '@betang/db';
import { hasPrefixRevision, sha256Hex, verifyPdfSignatures } from '@betang/documents';
import type { auditContext } from '../http/context';
import { MAX_UPLOADED_PDF_BYTES, fromDocumentError, rejectDocument, requirePdfBody } from './document-rejection';

/** Who may attach an externally signed document: the parties and the operators. */
function mayAttach(actor: Actor, institutionId: string): boolean {
  if (hasAnyRole(actor, [Role.Admin, Role.Operator, Role.DcHead])) return true;
  return actor.roles.includes(Role.InstitutionHead) && actor.institutionId === institutionId;
}

/**
 * Accepts a PDF signed outside Betang (e.g. with BSrE certified signatures) for an agreement
 * awaiting signatures. Accepted only when: it parses; its first revision is byte-for-byte the
 * generated original; it extends the current document when signatures are already recorded;
 * it carries at least two signatures (both parties) and more than recorded; every signature
 * verifies cryptographically; nothing follows the last signature. Then the agreement is in
 * force (the upload supplies the remaining signatures). Otherwise 4xx and nothing is stored.
 */
export async function attachSignedDocument(db: Db, input: { agreementId: string; actor: Actor; body: unknown; audit: ReturnType<typeof auditContext> }): Promise<void> {
  const meta = await findAgreementMeta(db, input.agreementId);
  if (!meta || !canSeeInstitution(input.actor, meta.institutionId)) throw new AppError(ErrorCode.NotFound);
  if (!mayAttach(input.actor, meta.institutionId)) throw new AppError(ErrorCode.Forbidden);
  const pdf = requirePdfBody(input.body);
  const ca = await findSigningCa(db);
  await db.transaction().execute(async (tx) => {
    const agreement = await lockAgreement(tx, meta.id);
    if (!agreement || !nextSignerRole(agreement.status) || !canTransitionAgreement(agreement.status, 'in_force')) {
      throw new AppError(ErrorCode.InvalidState, { id: 'Perjanjian ini tidak sedang menunggu tanda tangan.', en: 'This agreement is not awaiting signatures.' });
    }
    let report;
    try {
      report = verifyPdfSignatures(pdf, { trustedCaPems: ca ? [ca.certPem] : [], maxBytes: MAX_UPLOADED_PDF_BYTES });
      if (report.signatures.length === 0) throw rejectDocument('NOT_SIGNED');
      if (!hasPrefixRevision(pdf, agreement.originalDocument, { maxBytes: MAX_UPLOADED_PDF_BYTES })) throw rejectDocument('NOT_THE_GENERATED_DOCUMENT');
    } catch (error) {
      throw error instanceof AppError ? error : fromDocumentError(error);
    }
    const recorded = await listAgreementSignatures(tx, agreement.id);
    if (recorded.length > 0 && !pdf.subarray(0, agreement.currentDocument.length).equals(agreement.currentDocument)) throw rejectDocument('DROPS_RECORDED_SIGNATURES');
    if (report.signatures.length < 2 || report.signatures.length <= recorded.length) throw rejectDocument('NOT_FULLY_SIGNED');
    if (!report.signatures.every((s) => s.digestValid && s.signatureValid)) throw rejectDocument('SIGNATURE_INVALID');
    if (report.modifiedAfterLastSignature || !report.signatures.some((s) => s.coversWholeFile)) throw rejectDocument('MODIFIED_AFTER_SIGNING');

    const added = report.signatures.slice(recorded.length);
    const sha256 = sha256Hex(pdf);
    const now = new Date();
    await updateAgreementDocument(tx, agreement.id, { document: pdf, sha256, status: 'in_force' });
    await insertAgreementSignature(tx, {
      agreementId: agreement.id,
      position: recorded.length + 1,
      signerRole: 'external',
      signerName: added.map((s) => s.signerName || '?').join('; ').slice(0, 500),
      signerUserId: null,
      method: 'external',
      signedAt: now,
      sha256Before: agreement.currentSha256,
      sha256After: sha256,
      certificatePem: added[added.length - 1]!.signerCertPem,
      consentText: `Dokumen ditandatangani di luar Betang dan diunggah oleh ${input.audit.actorLabel}. / Signed outside Betang and uploaded by ${input.audit.actorLabel}.`,
      ip: input.audit.ip,
      userAgent: input.audit.userAgent,
    });
    await appendAudit(tx, {
      ...input.audit,
      institutionId: agreement.institutionId,
      action: 'agreement.signed_document_attached',
      targetType: 'agreement',
      targetId: agreement.id,
      before: { status: agreement.status, sha256: agreement.currentSha256 },
      after: { status: 'in_force', sha256, signers: added.map((s) => ({ name: s.signerName, signedAt: s.signedAt, chainTrusted: s.chainTrusted })) },
    });
  });
}
