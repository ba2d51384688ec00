import type { LocalizedText } from '@betang/core';

/** Stable error codes of the documents package; callers map them, never the message text. */
export const DocumentErrorCode = {
  /** Input is not a PDF (no `%PDF-` header near the start). */
  NotAPdf: 'NOT_A_PDF',
  /** The PDF ends early: no `startxref`/`%%EOF`, or a byte range points past the end. */
  Truncated: 'TRUNCATED',
  /** Input is larger than the configured maximum. */
  TooLarge: 'TOO_LARGE',
  /** A signature dictionary, its /ByteRange or its /Contents (CMS) cannot be parsed. */
  SignatureMalformed: 'SIGNATURE_MALFORMED',
  /** The PDF uses a structure this package does not write into (xref streams, encryption). */
  UnsupportedPdf: 'UNSUPPORTED_PDF',
  /** Agreement data failed validation. */
  InvalidAgreementData: 'INVALID_AGREEMENT_DATA',
  /** Key material cannot be decrypted or parsed (wrong master secret, corrupted blob). */
  KeyDecryptionFailed: 'KEY_DECRYPTION_FAILED',
  /** The signer failed or returned a signature that does not fit the reserved space. */
  SigningFailed: 'SIGNING_FAILED',
  /** Invalid arguments to a library function (programming error on the caller side). */
  InvalidArgument: 'INVALID_ARGUMENT',
  /** Every verification thread is busy and the waiting line is full: try again shortly. */
  VerifierBusy: 'VERIFIER_BUSY',
  /** Verification did not finish within its time limit (or its thread died); the thread was replaced. */
  VerificationAborted: 'VERIFICATION_ABORTED',
} as const;

export type DocumentErrorCode = (typeof DocumentErrorCode)[keyof typeof DocumentErrorCode];

/** Typed error thrown by every public function of this package for expected failures. */
export class DocumentError extends Error {
  readonly code: DocumentErrorCode;
  readonly userMessage: LocalizedText;
  readonly details?: Record<string, unknown>;

  constructor(code: DocumentErrorCode, message: LocalizedText, details?: Record<string, unknown>) {
    super(`${code}: ${message.en}`);
    this.name = 'DocumentError';
    this.code = code;
    this.userMessage = message;
    this.details = details;
  }
}

/** True when `e` is a DocumentError (optionally with the given code). */
export function isDocumentError(e: unknown, code?: DocumentErrorCode): e is DocumentError {
  return e instanceof DocumentError && (code === undefined || e.code === code);
}
