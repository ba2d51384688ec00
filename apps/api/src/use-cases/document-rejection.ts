import { AppError, ErrorCode } from '@betang/core';
import { isDocumentError } from '@betang/documents';

/** Largest PDF the agreement upload and public verification endpoints accept. */
export const MAX_UPLOADED_PDF_BYTES = 10 * 1024 * 1024;

/** Why an uploaded PDF was refused; part of the API (error details `reason`). */
type RejectionReason =
  | 'NOT_A_PDF'
  | 'TRUNCATED'
  | 'SIGNATURE_MALFORMED'
  | 'UNSUPPORTED_PDF'
  | 'NOT_SIGNED'
  | 'NOT_FULLY_SIGNED'
  | 'SIGNATURE_INVALID'
  | 'MODIFIED_AFTER_SIGNING'
  | 'NOT_THE_GENERATED_DOCUMENT'
  | 'DROPS_RECORDED_SIGNATURES'
  | 'SIGNATURE_UNTRUSTED'
  | 'SIGNER_NOT_IDENTIFIED'
  | 'UNEXPECTED_SIGNATURES';

const TEXTS: Record<RejectionReason, { id: string; en: string }> = {
  NOT_A_PDF: { id: 'Berkas bukan PDF.', en: 'The file is not a PDF.' },
  TRUNCATED: { id: 'Berkas PDF terpotong atau rusak.', en: 'The PDF is truncated or damaged.' },
  SIGNATURE_MALFORMED: { id: 'Tanda tangan dalam PDF rusak.', en: 'A signature in the PDF is malformed.' },
  UNSUPPORTED_PDF: { id: 'Struktur PDF tidak didukung.', en: 'Unsupported PDF structure.' },
  NOT_SIGNED: { id: 'PDF tidak bertanda tangan.', en: 'The PDF carries no signature.' },
  NOT_FULLY_SIGNED: { id: 'PDF belum ditandatangani kedua pihak.', en: 'The PDF is not signed by both parties.' },
  SIGNATURE_INVALID: { id: 'Ada tanda tangan yang tidak sah secara kriptografis.', en: 'A signature does not verify cryptographically.' },
  MODIFIED_AFTER_SIGNING: { id: 'PDF diubah setelah tanda tangan terakhir.', en: 'The PDF was changed after the last signature.' },
  NOT_THE_GENERATED_DOCUMENT: {
    id: 'Revisi pertama PDF tidak sama persis dengan dokumen perjanjian yang dibuat Betang.',
    en: 'The first revision is not byte-for-byte the agreement Betang generated.',
  },
  DROPS_RECORDED_SIGNATURES: {
    id: 'PDF tidak memuat tanda tangan yang sudah tercatat di Betang.',
    en: 'The PDF does not contain the signatures already recorded in Betang.',
  },
  SIGNATURE_UNTRUSTED: {
    id: 'Sertifikat tanda tangan tidak diterbitkan oleh penyelenggara sertifikasi yang dipercaya kantor (mis. BSrE).',
    en: 'A signing certificate was not issued by a certification authority the office trusts (e.g. BSrE).',
  },
  SIGNER_NOT_IDENTIFIED: {
    id: 'Sertifikat tanda tangan tidak menunjukkan penanda tangan yang diharapkan (NIP atau e-mail tidak cocok).',
    en: 'A signing certificate does not identify the expected signer (NIP or e-mail does not match).',
  },
  UNEXPECTED_SIGNATURES: {
    id: 'PDF memuat lebih banyak tanda tangan daripada pihak yang belum menandatangani.',
    en: 'The PDF carries more signatures than there are parties left to sign.',
  },
};

/** A 422 DOCUMENT_REJECTED with the reason in `details` and a bilingual message. */
export function rejectDocument(reason: RejectionReason): AppError {
  return new AppError(ErrorCode.DocumentRejected, TEXTS[reason], { reason });
}

/** Seconds a client is told to wait when verification is at capacity or timed out. */
const VERIFY_RETRY_AFTER_SECONDS = 30;

/**
 * Maps a DocumentError from @betang/documents to the API error (413 for too large, 503 with
 * Retry-After when verification is at capacity or was stopped at its time limit); rethrows
 * anything else.
 */
export function fromDocumentError(error: unknown): AppError {
  if (!isDocumentError(error)) throw error;
  if (error.code === 'TOO_LARGE') return new AppError(ErrorCode.PayloadTooLarge);
  if (error.code === 'VERIFIER_BUSY' || error.code === 'VERIFICATION_ABORTED') {
    return new AppError(ErrorCode.ServiceUnavailable, error.userMessage, {
      reason: error.code,
      retryAfterSeconds: VERIFY_RETRY_AFTER_SECONDS,
    });
  }
  const reason = (['NOT_A_PDF', 'TRUNCATED', 'SIGNATURE_MALFORMED'] as const).find((r) => r === error.code) ?? 'UNSUPPORTED_PDF';
  return rejectDocument(reason);
}

/** The uploaded PDF bytes, or 400 when the request carried none (wrong or missing Content-Type). */
export function requirePdfBody(body: unknown): Buffer {
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      { id: 'Kirim berkas PDF dengan Content-Type application/pdf.', en: 'Send a PDF file with Content-Type application/pdf.' },
      [{ path: 'body', message: 'application/pdf', code: 'invalid_type' }],
    );
  }
  return body;
}
