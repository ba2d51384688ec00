import { AppError, ErrorCode, Role, canSeeInstitution, canTransitionAgreement, hasAnyRole, nextSignerRole, type Actor } from '@betang/core';
import {
  appendAudit,
  deletePendingDocument,
  findAgreementMeta,
  findAgreementWithDocuments,
  findExpectedSigners,
  findPendingDocument,
  findPendingDocumentBytes,
  findSigningCa,
  insertAgreementSignature,
  listAgreementSignatures,
  lockAgreement,
  savePendingDocument,
  updateAgreementDocument,
  type Db,
  type LockedAgreement,
  type PendingSigner,
  type Tx,
} from '@betang/db';
import { hasPrefixRevision, sha256Hex, type PdfVerifier, type VerifiedSignature } from '@betang/documents';
import type { auditContext } from '../http/context';
import { notifyAgreementStep } from './agreement-notifications';
import { coverVmsByAgreement } from './leases/cover-vms';
import { MAX_UPLOADED_PDF_BYTES, fromDocumentError, rejectDocument, requirePdfBody } from './document-rejection';
import { identifiesSigner, type SignatureTrust } from './signature-trust';

type Audit = ReturnType<typeof auditContext>;

/** Who may attach an externally signed document: the parties and the operators. */
function mayAttach(actor: Actor, institutionId: string): boolean {
  if (hasAnyRole(actor, [Role.Admin, Role.Operator, Role.DcHead])) return true;
  return actor.roles.includes(Role.InstitutionHead) && actor.institutionId === institutionId;
}

const notAwaiting = () =>
  new AppError(ErrorCode.InvalidState, {
    id: 'Perjanjian ini tidak sedang menunggu tanda tangan.',
    en: 'This agreement is not awaiting signatures.',
  });
const movedOn = () =>
  new AppError(ErrorCode.InvalidState, {
    id: 'Dokumen perjanjian berubah selama pemeriksaan (ada tanda tangan baru). Unduh versi terbaru lalu unggah lagi.',
    en: 'The agreement document changed while the upload was checked (a new signature). Download the latest version and upload again.',
  });

function isAwaiting(agreement: Pick<LockedAgreement, 'status'>): boolean {
  return !!nextSignerRole(agreement.status) && canTransitionAgreement(agreement.status, 'in_force');
}

/** The checks that need no signature verification, in the documented order. */
async function precheck(db: Db, agreement: LockedAgreement, pdf: Buffer): Promise<number> {
  if (!isAwaiting(agreement)) throw notAwaiting();
  try {
    if (!hasPrefixRevision(pdf, agreement.originalDocument, { maxBytes: MAX_UPLOADED_PDF_BYTES })) {
      throw rejectDocument(pdf.equals(agreement.originalDocument) ? 'NOT_SIGNED' : 'NOT_THE_GENERATED_DOCUMENT');
    }
  } catch (error) {
    throw error instanceof AppError ? error : fromDocumentError(error);
  }
  const recorded = await listAgreementSignatures(db, agreement.id);
  if (recorded.length > 0 && !pdf.subarray(0, agreement.currentDocument.length).equals(agreement.currentDocument))
    throw rejectDocument('DROPS_RECORDED_SIGNATURES');
  return recorded.length;
}

/** The signatures of the upload, cryptographically checked off the event loop. */
async function verifyUpload(
  db: Db,
  verifier: PdfVerifier,
  trust: SignatureTrust,
  pdf: Buffer,
  recordedCount: number,
): Promise<VerifiedSignature[]> {
  const ca = await findSigningCa(db);
  let signatures: VerifiedSignature[];
  let modifiedAfterLastSignature: boolean;
  try {
    ({ signatures, modifiedAfterLastSignature } = await verifier.verify(pdf, {
      trustedCaPems: [...(ca ? [ca.certPem] : []), ...trust.rootPems],
      maxBytes: MAX_UPLOADED_PDF_BYTES,
    }));
  } catch (error) {
    throw fromDocumentError(error);
  }
  if (signatures.length === 0) throw rejectDocument('NOT_SIGNED');
  if (signatures.length < 2 || signatures.length <= recordedCount) throw rejectDocument('NOT_FULLY_SIGNED');
  if (!signatures.every((s) => s.digestValid && s.signatureValid)) throw rejectDocument('SIGNATURE_INVALID');
  if (modifiedAfterLastSignature || !signatures.some((s) => s.coversWholeFile)) throw rejectDocument('MODIFIED_AFTER_SIGNING');
  return signatures.slice(recordedCount);
}

const pendingSigner = (s: VerifiedSignature, trust: SignatureTrust): PendingSigner => ({
  name: s.signerName,
  signedAt: s.signedAt ? s.signedAt.toISOString() : null,
  trusted: !!s.trustAnchorFingerprint && trust.rootFingerprints.has(s.trustAnchorFingerprint),
  serialNumbers: s.signerIdentity.serialNumbers.slice(0, 4),
  emails: s.signerIdentity.emails.slice(0, 4),
});

/**
 * Writes an accepted external document in the caller's transaction: the document, status in
 * force, one signature record (role `external`), the audit entry. The agreement must be locked
 * and still at `baseSha256`.
 */
async function completeWithExternal(
  tx: Tx,
  agreement: LockedAgreement,
  input: {
    pdf: Buffer;
    sha256: string;
    signers: PendingSigner[];
    certificatePem: string | null;
    consent: string;
    audit: Audit;
    acceptedBy: string | null;
    action: string;
  },
): Promise<void> {
  const recorded = await listAgreementSignatures(tx, agreement.id);
  await updateAgreementDocument(tx, agreement.id, { document: input.pdf, sha256: input.sha256, status: 'in_force' });
  await insertAgreementSignature(tx, {
    agreementId: agreement.id,
    position: recorded.length + 1,
    signerRole: 'external',
    signerName: input.signers
      .map((s) => s.name || '?')
      .join('; ')
      .slice(0, 500),
    signerUserId: null,
    method: 'external',
    signedAt: new Date(),
    sha256Before: agreement.currentSha256,
    sha256After: input.sha256,
    certificatePem: input.certificatePem,
    consentText: input.consent,
    ip: input.audit.ip,
    userAgent: input.audit.userAgent,
    acceptedBy: input.acceptedBy,
  });
  await appendAudit(tx, {
    ...input.audit,
    institutionId: agreement.institutionId,
    action: input.action,
    targetType: 'agreement',
    targetId: agreement.id,
    before: { status: agreement.status, sha256: agreement.currentSha256 },
    after: {
      status: 'in_force',
      sha256: input.sha256,
      signers: input.signers.map((s) => ({ name: s.name, signedAt: s.signedAt, trusted: s.trusted })),
    },
  });
  await coverVmsByAgreement(tx, agreement, input.audit);
  await notifyAgreementStep(tx, agreement, 'in_force');
}

type AttachOutcome = 'in_force' | 'pending_acceptance';

/**
 * Accepts a PDF signed outside Betang (e.g. with BSrE certified signatures) for an agreement
 * awaiting signatures. Cheap checks come first and hold no lock: the agreement awaits signatures;
 * the first revision is byte-for-byte the generated original; the recorded signatures are kept.
 * Then the signatures are verified on the verification pool, outside any transaction: at least
 * two and more than recorded, every one valid, nothing after the last. Then:
 * - trust roots configured: every added signature must chain to one of them and name, in order,
 *   the parties still to sign (SIGNATURE_SIGNER_MATCH); the agreement is then in force;
 * - none configured: the document is kept as the agreement's pending document (replacing an
 *   earlier one) until an operator accepts it; the agreement stays as it was.
 * The write happens in a short transaction that locks the agreement and refuses (409) when it
 * changed meanwhile. Any refusal is a 4xx that stores nothing.
 */
export async function attachSignedDocument(
  db: Db,
  input: {
    agreementId: string;
    actor: Actor;
    actorUserId: string;
    body: unknown;
    audit: Audit;
    verifier: PdfVerifier;
    trust: SignatureTrust;
  },
): Promise<AttachOutcome> {
  const meta = await findAgreementMeta(db, input.agreementId);
  if (!meta || !canSeeInstitution(input.actor, meta.institutionId)) throw new AppError(ErrorCode.NotFound);
  if (!mayAttach(input.actor, meta.institutionId)) throw new AppError(ErrorCode.Forbidden);
  const pdf = requirePdfBody(input.body);
  const agreement = await findAgreementWithDocuments(db, meta.id);
  if (!agreement) throw new AppError(ErrorCode.NotFound);
  const recordedCount = await precheck(db, agreement, pdf);
  const added = await verifyUpload(db, input.verifier, input.trust, pdf, recordedCount);
  const signers = added.map((s) => pendingSigner(s, input.trust));
  const trusted = input.trust.rootPems.length > 0;

  if (trusted) {
    if (signers.some((s) => !s.trusted)) throw rejectDocument('SIGNATURE_UNTRUSTED');
    const expected = (await findExpectedSigners(db, agreement)).slice(recordedCount);
    if (added.length > expected.length) throw rejectDocument('UNEXPECTED_SIGNATURES');
    if (added.length < expected.length) throw rejectDocument('NOT_FULLY_SIGNED');
    if (!added.every((s, i) => identifiesSigner(s, expected[i]!, input.trust.signerMatch))) throw rejectDocument('SIGNER_NOT_IDENTIFIED');
  }

  const sha256 = sha256Hex(pdf);
  await db.transaction().execute(async (tx) => {
    const locked = await lockAgreement(tx, meta.id);
    if (!locked || !isAwaiting(locked)) throw notAwaiting();
    if (locked.currentSha256 !== agreement.currentSha256) throw movedOn();
    if (trusted) {
      await deletePendingDocument(tx, locked.id);
      await completeWithExternal(tx, locked, {
        pdf,
        sha256,
        signers,
        certificatePem: added[added.length - 1]!.signerCertPem,
        consent: `Dokumen ditandatangani di luar Betang (sertifikat dari penyelenggara yang dipercaya) dan diunggah oleh ${input.audit.actorLabel}. / Signed outside Betang (certificates from a trusted authority) and uploaded by ${input.audit.actorLabel}.`,
        audit: input.audit,
        acceptedBy: null,
        action: 'agreement.signed_document_attached',
      });
      return;
    }
    await savePendingDocument(tx, {
      agreementId: locked.id,
      document: pdf,
      sha256,
      baseSha256: locked.currentSha256,
      signers,
      uploadedBy: input.actorUserId,
    });
    await appendAudit(tx, {
      ...input.audit,
      institutionId: locked.institutionId,
      action: 'agreement.signed_document_pending',
      targetType: 'agreement',
      targetId: locked.id,
      before: { status: locked.status, sha256: locked.currentSha256 },
      after: {
        pendingSha256: sha256,
        reason: 'no_trust_roots',
        signers: signers.map((s) => ({ name: s.name, signedAt: s.signedAt, trusted: s.trusted })),
      },
    });
  });
  return trusted ? 'in_force' : 'pending_acceptance';
}

/**
 * An operator or admin accepts the agreement's pending external document on the office's behalf:
 * it must be the document they reviewed (`sha256`), uploaded by someone else, and the agreement
 * must still await signatures at the version the upload extends. The agreement is then in force,
 * the signature record names the accepting operator, and the pending document is gone. Safe to
 * retry: a second call finds nothing pending (404) and changes nothing.
 */
export async function acceptSignedDocument(
  db: Db,
  input: { agreementId: string; actorUserId: string; sha256: string; audit: Audit },
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const agreement = await lockAgreement(tx, input.agreementId);
    if (!agreement) throw new AppError(ErrorCode.NotFound);
    const pending = await findPendingDocument(tx, agreement.id);
    const bytes = pending && (await findPendingDocumentBytes(tx, agreement.id));
    if (!pending || !bytes)
      throw new AppError(ErrorCode.NotFound, {
        id: 'Tidak ada dokumen yang menunggu penerimaan.',
        en: 'No document is waiting for acceptance.',
      });
    if (pending.sha256 !== input.sha256) {
      throw new AppError(ErrorCode.InvalidState, {
        id: 'Dokumen yang menunggu sudah diganti; periksa versi terbaru.',
        en: 'The pending document was replaced; review the latest one.',
      });
    }
    if (pending.uploadedBy === input.actorUserId) {
      throw new AppError(ErrorCode.Forbidden, {
        id: 'Dokumen harus diterima oleh operator lain, bukan pengunggahnya.',
        en: 'Another operator than the uploader must accept the document.',
      });
    }
    if (!isAwaiting(agreement)) throw notAwaiting();
    if (agreement.currentSha256 !== pending.baseSha256) throw movedOn();
    await deletePendingDocument(tx, agreement.id);
    await completeWithExternal(tx, agreement, {
      pdf: bytes.document,
      sha256: bytes.sha256,
      signers: pending.signers,
      certificatePem: null,
      consent: `Dokumen ditandatangani di luar Betang, diunggah oleh ${pending.uploadedByName ?? '?'} dan diterima oleh ${input.audit.actorLabel} tanpa akar kepercayaan yang dikonfigurasi. / Signed outside Betang, uploaded by ${pending.uploadedByName ?? '?'} and accepted by ${input.audit.actorLabel} without a configured trust root.`,
      audit: input.audit,
      acceptedBy: input.actorUserId,
      action: 'agreement.signed_document_accepted',
    });
  });
}

/** An operator or admin discards the pending document (audited); 404 when none waits. */
export async function discardSignedDocument(db: Db, input: { agreementId: string; audit: Audit }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const agreement = await lockAgreement(tx, input.agreementId);
    if (!agreement) throw new AppError(ErrorCode.NotFound);
    const pending = await findPendingDocument(tx, agreement.id);
    if (!pending || !(await deletePendingDocument(tx, agreement.id))) {
      throw new AppError(ErrorCode.NotFound, {
        id: 'Tidak ada dokumen yang menunggu penerimaan.',
        en: 'No document is waiting for acceptance.',
      });
    }
    await appendAudit(tx, {
      ...input.audit,
      institutionId: agreement.institutionId,
      action: 'agreement.signed_document_discarded',
      targetType: 'agreement',
      targetId: agreement.id,
      before: { pendingSha256: pending.sha256 },
      after: null,
    });
  });
}
