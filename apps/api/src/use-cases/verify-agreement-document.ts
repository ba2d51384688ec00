import { todayInJakarta, type VerificationResult } from '@betang/core';
import {
  findAgreementsByOriginalSha,
  findSigningCa,
  listAgreementSignatures,
  type AgreementMeta,
  type AgreementSignatureRow,
  type Db,
} from '@betang/db';
import {
  firstRevision,
  hasPrefixRevision,
  isDocumentError,
  sha256Hex,
  type PdfVerification,
  type PdfVerifier,
  type VerifiedSignature,
} from '@betang/documents';
import { X509Certificate } from 'node:crypto';
import { SIGNER_ROLE_LABELS } from './agreement-view';
import { MAX_UPLOADED_PDF_BYTES, fromDocumentError } from './document-rejection';
import type { SignatureTrust } from './signature-trust';

type Recorded = { meta: AgreementMeta; signatures: AgreementSignatureRow[] };

/** Both parties have signed: the institution head and the data-center head, or an accepted external document. */
function isFullySigned(signatures: AgreementSignatureRow[]): boolean {
  const roles = new Set(signatures.map((s) => s.signerRole));
  return roles.has('external') || (roles.has('institution_head') && roles.has('dc_head'));
}

function publicAgreement(meta: AgreementMeta): NonNullable<VerificationResult['agreement']> {
  return {
    number: meta.number,
    institutionName: meta.institutionName,
    status: meta.status,
    termStart: meta.termStart,
    termEnd: meta.termEnd,
    revokedAt: meta.revokedAt ? meta.revokedAt.toISOString() : null,
    currentSha256: meta.currentSha256,
  };
}

const roleLabel = (role: string | undefined) =>
  role && role in SIGNER_ROLE_LABELS ? SIGNER_ROLE_LABELS[role as keyof typeof SIGNER_ROLE_LABELS].id : 'Penanda tangan';

/** The public answer for an agreement as recorded (used by `GET /verify/:code`): names and roles only. */
export function recordedVerification({ meta, signatures }: Recorded, today = todayInJakarta()): VerificationResult {
  const fullySigned = isFullySigned(signatures);
  return {
    genuine: true,
    valid: fullySigned && meta.status === 'in_force' && meta.termStart <= today && today <= meta.termEnd,
    reason: null,
    fullySigned,
    agreement: publicAgreement(meta),
    signatures: signatures.map((s) => ({
      name: s.signerName,
      role: roleLabel(s.signerRole),
      signedAt: s.signedAt.toISOString(),
      valid: null,
    })),
  };
}

function notGenuine(
  reason: string,
  recorded?: Recorded,
  report?: PdfVerification,
  trustedBy?: (s: VerifiedSignature) => boolean,
): VerificationResult {
  return {
    genuine: false,
    valid: false,
    reason,
    fullySigned: false,
    agreement: recorded ? publicAgreement(recorded.meta) : null,
    signatures: (report?.signatures ?? []).map((s) => ({
      name: s.signerName,
      role: 'Penanda tangan',
      signedAt: s.signedAt ? s.signedAt.toISOString() : null,
      valid: s.digestValid && s.signatureValid,
      trusted: trustedBy?.(s) ?? null,
    })),
  };
}

/** Verification needs a thread pool and the office's trust roots. */
type VerifyDeps = { verifier: PdfVerifier; trust: SignatureTrust };

/**
 * Public verification of an uploaded PDF. Genuine means: its first revision is a generated
 * Betang agreement, every signature verifies, nothing follows the last signature, every signature
 * is trusted — it chains to Betang's own CA or a configured trust root, or it belongs to an
 * external document an operator accepted — and the whole file is one of the versions Betang
 * recorded (the original or the result of a recorded signature). `valid` adds: fully signed, the
 * current version, in force today. Unparseable input throws the API error (4xx); a damaged or
 * untrusted signature is reported as not genuine. The cryptographic work runs on `deps.verifier`.
 */
export async function verifyAgreementDocument(
  db: Db,
  pdf: Buffer,
  deps: VerifyDeps,
  today = todayInJakarta(),
): Promise<VerificationResult> {
  let first: Buffer;
  try {
    first = firstRevision(pdf, { maxBytes: MAX_UPLOADED_PDF_BYTES });
  } catch (error) {
    throw fromDocumentError(error);
  }
  const candidates = await findAgreementsByOriginalSha(db, sha256Hex(first));
  const match = candidates.find((c) => hasPrefixRevision(pdf, c.originalDocument) || pdf.equals(c.originalDocument));
  if (!match) return notGenuine('UNKNOWN_DOCUMENT');
  const recorded: Recorded = { meta: match, signatures: await listAgreementSignatures(db, match.id) };
  const ca = await findSigningCa(db);
  const anchors = new Set([...(ca ? [new X509Certificate(ca.certPem).fingerprint256] : []), ...deps.trust.rootFingerprints]);
  const trustedBy = (s: VerifiedSignature) => !!s.trustAnchorFingerprint && anchors.has(s.trustAnchorFingerprint);
  let report: PdfVerification;
  try {
    report = await deps.verifier.verify(pdf, {
      trustedCaPems: [...(ca ? [ca.certPem] : []), ...deps.trust.rootPems],
      maxBytes: MAX_UPLOADED_PDF_BYTES,
    });
  } catch (error) {
    if (isDocumentError(error) && !['TOO_LARGE', 'NOT_A_PDF', 'VERIFIER_BUSY', 'VERIFICATION_ABORTED'].includes(error.code))
      return notGenuine(error.code, recorded);
    throw fromDocumentError(error);
  }
  if (!report.signatures.every((s) => s.digestValid && s.signatureValid))
    return notGenuine('SIGNATURE_INVALID', recorded, report, trustedBy);
  if (report.signatures.length > 0 && report.modifiedAfterLastSignature)
    return notGenuine('MODIFIED_AFTER_SIGNING', recorded, report, trustedBy);
  const sha256 = sha256Hex(pdf);
  const version = sha256 === match.originalSha256 ? 0 : recorded.signatures.findIndex((s) => s.sha256After === sha256) + 1;
  const signedSoFar = recorded.signatures.slice(0, version);
  const acceptedByOperator = signedSoFar.some((r) => r.method === 'external' && r.acceptedBy !== null);
  if (!acceptedByOperator && !report.signatures.every(trustedBy)) return notGenuine('SIGNATURE_UNTRUSTED', recorded, report, trustedBy);
  if (version === 0 && sha256 !== match.originalSha256) return notGenuine('NOT_A_RECORDED_VERSION', recorded, report, trustedBy);
  const fullySigned = isFullySigned(signedSoFar) && sha256 === match.currentSha256;
  return {
    genuine: true,
    valid: fullySigned && match.status === 'in_force' && match.termStart <= today && today <= match.termEnd,
    reason: null,
    fullySigned,
    agreement: publicAgreement(match),
    signatures: report.signatures.map((s, i) => ({
      name: s.signerName,
      role: roleLabel(signedSoFar[i]?.signerRole ?? (signedSoFar.some((r) => r.signerRole === 'external') ? 'external' : undefined)),
      signedAt: s.signedAt ? s.signedAt.toISOString() : null,
      valid: s.digestValid && s.signatureValid,
      trusted: trustedBy(s),
    })),
  };
}
