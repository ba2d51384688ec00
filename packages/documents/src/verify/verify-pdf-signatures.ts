import { isDocumentError } from '../errors/document-error';
import { documentErrors } from '../errors/document-errors';
import { parseTrustAnchors, trustAnchorOf, type TrustAnchor } from './certificate-chain';
import { toPem } from './certificate-info';
import { verifyCms } from './cms-verify';
import { parsePdfDate } from './pdf-literal';
import { assertPdf, revisionEnds, DEFAULT_MAX_PDF_BYTES } from './pdf-structure';
import { findSignatureDictionaries, type FoundSignature } from './signature-dictionaries';
import { VerificationBudget } from './verification-limits';

export type VerifiedSignature = {
  /** 1-based, in signing order (by the end of the bytes each signature covers). */
  index: number;
  signerName: string;
  signerCertPem: string;
  signedAt: Date | null;
  reason: string | null;
  subFilter: string | null;
  byteRange: [number, number, number, number];
  /** The signed bytes hash to the CMS messageDigest (the document was not changed). */
  digestValid: boolean;
  /** The CMS signature verifies with the signer certificate's key, and /Contents padding is untouched. */
  signatureValid: boolean;
  /**
   * The signature verified and its certificate chains to one of `trustedCaPems`, every link valid
   * at signing time. No chain is built for a signature that failed its own check.
   */
  chainTrusted: boolean;
  /** SHA-256 fingerprint (node's colon hex) of the anchor the chain reached; null when not trusted. */
  trustAnchorFingerprint: string | null;
  /** What the signer certificate says about who signed, for matching against the expected party. */
  signerIdentity: { commonName: string | null; serialNumbers: string[]; emails: string[] };
  /** Offset just past the last byte this signature covers (the end of the revision it signed). */
  coversRevisionEndingAt: number;
  coversWholeFile: boolean;
};

export type PdfVerification = {
  isPdf: true;
  revisions: number;
  signatures: VerifiedSignature[];
  /** Bytes exist after the range of the last signature (an unsigned later revision or tampering). */
  modifiedAfterLastSignature: boolean;
};

export type VerifyOptions = { trustedCaPems?: string[]; maxBytes?: number };

async function verifyOne(
  pdf: Buffer,
  s: FoundSignature,
  index: number,
  anchors: TrustAnchor[],
  budget: VerificationBudget,
): Promise<VerifiedSignature> {
  const [a, b, c, d] = s.byteRange;
  const content = [pdf.subarray(a, a + b), pdf.subarray(c, c + d)];
  let check;
  try {
    check = await verifyCms(s.contents, content, budget);
  } catch (e) {
    if (isDocumentError(e)) throw e;
    throw documentErrors.signatureMalformed(`signature ${index}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const paddingClean = s.contents.subarray(check.cmsLength).every((x) => x === 0);
  const signedAt = check.signingTime ?? parsePdfDate(s.m) ?? null;
  const signatureValid = check.signatureValid && paddingClean;
  const anchor =
    check.digestValid && signatureValid ? await trustAnchorOf(check.signer, check.pool, anchors, signedAt ?? new Date(), budget) : null;
  return {
    index,
    signerName: check.signer.commonName ?? s.name ?? '',
    signerCertPem: toPem(check.signer.der),
    signedAt,
    reason: s.reason ?? null,
    subFilter: s.subFilter ?? null,
    byteRange: s.byteRange,
    digestValid: check.digestValid,
    signatureValid,
    chainTrusted: anchor !== null,
    trustAnchorFingerprint: anchor,
    signerIdentity: { commonName: check.signer.commonName ?? null, serialNumbers: check.signer.serialNumbers, emails: check.signer.emails },
    coversRevisionEndingAt: c + d,
    coversWholeFile: c + d === pdf.length,
  };
}

/**
 * Verifies every PAdES/PKCS#7 signature of a PDF: the PDF side (byte ranges, revisions, what
 * follows the last signature) here, the CMS and the certificate chain with PKI.js on node's
 * WebCrypto. Guarantees: never hangs
 * (linear scans, input capped at `maxBytes`, default 20 MiB, public-key work bounded by
 * VERIFICATION_LIMITS: certificates per CMS, key sizes and exponents, operations per document)
 * and never throws anything but a DocumentError (NOT_A_PDF, TOO_LARGE, TRUNCATED,
 * SIGNATURE_MALFORMED; a file beyond the limits is SIGNATURE_MALFORMED). A cryptographically
 * wrong signature is reported with false flags rather than thrown. An unsigned PDF yields
 * `signatures: []`. Acceptance policy (all valid, last covers the whole file, trusted or
 * prefix-checked) is the caller's decision.
 */
export async function verifyPdfSignatures(pdf: Buffer, options: VerifyOptions = {}): Promise<PdfVerification> {
  assertPdf(pdf, options.maxBytes ?? DEFAULT_MAX_PDF_BYTES);
  const found = findSignatureDictionaries(pdf);
  const anchors = parseTrustAnchors(options.trustedCaPems ?? []);
  const budget = new VerificationBudget();
  const signatures: VerifiedSignature[] = [];
  // One after another: the budget is shared, and a document's signatures are few.
  for (const [i, s] of found.entries()) signatures.push(await verifyOne(pdf, s, i + 1, anchors, budget));
  const lastEnd = signatures.length > 0 ? Math.max(...signatures.map((s) => s.coversRevisionEndingAt)) : pdf.length;
  return {
    isPdf: true,
    revisions: revisionEnds(pdf).length,
    signatures,
    modifiedAfterLastSignature: lastEnd < pdf.length,
  };
}
