export { DocumentError, DocumentErrorCode, isDocumentError } from './errors/document-error';
export { sha256Hex } from './util/sha256';
export {
  AGREEMENT_TEMPLATE_VERSION,
  DATA_CENTER_OFFICE_NAME,
  ZAgreementDocumentData,
  ZDataClassification,
  ZNip,
  ZOfficial,
  type AgreementDocumentData,
  type AgreementDocumentInput,
  type DataClassification,
  type Official,
} from './agreement/agreement-data.schema';
export { renderAgreementPdf } from './agreement/render-agreement-pdf';
export { formatDateId, formatDateTimeId, terbilang } from './agreement/indonesian-format';
export { encryptPrivateKey, decryptPrivateKey } from './crypto/key-encryption';
export { createSigningCa, issueSignerCredential, type IssueSignerOptions } from './crypto/signing-ca';
export {
  ZSignerIdentity,
  type SignerCredential,
  type SignerIdentity,
  type SigningCa,
  type CreateSigningCaOptions,
} from './crypto/signing-ca.types';
export type { Signer, SignInput, PdfSignatureSubFilter } from './signing/signer.port';
export { createInternalCaSigner } from './signing/internal-ca-signer';
export { signPdfIncrementally, type SignPdfMeta } from './signing/sign-pdf-incrementally';
export { verifyPdfSignatures, type PdfVerification, type VerifiedSignature, type VerifyOptions } from './verify/verify-pdf-signatures';
export { firstRevision, hasPrefixRevision, DEFAULT_MAX_PDF_BYTES, MAX_REVISIONS } from './verify/pdf-structure';
export { renderInventorySummaryPdf, ZInventorySummaryData, type InventorySummaryData } from './inventory/render-inventory-summary-pdf';
export { createPdfVerifierPool, defaultVerifierThreads, type PdfVerifier, type PdfVerifierPoolOptions } from './verify/verifier-pool';
export { VERIFICATION_LIMITS } from './verify/verification-limits';
