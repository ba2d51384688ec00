import { DocumentError, DocumentErrorCode } from './document-error';

/** Error factories with fixed bilingual messages; `detail` is for logs, not for people. */
export const documentErrors = {
  notAPdf: () =>
    new DocumentError(DocumentErrorCode.NotAPdf, {
      id: 'Berkas bukan dokumen PDF.',
      en: 'The file is not a PDF document.',
    }),
  truncated: (detail: string) =>
    new DocumentError(
      DocumentErrorCode.Truncated,
      { id: 'Berkas PDF terpotong atau tidak lengkap.', en: 'The PDF file is truncated or incomplete.' },
      { detail },
    ),
  tooLarge: (size: number, max: number) =>
    new DocumentError(
      DocumentErrorCode.TooLarge,
      {
        id: `Ukuran berkas melebihi batas ${Math.floor(max / (1024 * 1024))} MB.`,
        en: `The file exceeds the ${Math.floor(max / (1024 * 1024))} MB limit.`,
      },
      { size, max },
    ),
  signatureMalformed: (detail: string) =>
    new DocumentError(
      DocumentErrorCode.SignatureMalformed,
      {
        id: 'Tanda tangan elektronik pada dokumen rusak atau tidak dapat dibaca.',
        en: 'An electronic signature in the document is malformed or unreadable.',
      },
      { detail },
    ),
  unsupportedPdf: (detail: string) =>
    new DocumentError(
      DocumentErrorCode.UnsupportedPdf,
      {
        id: 'Struktur PDF tidak didukung untuk penandatanganan.',
        en: 'The PDF structure is not supported for signing.',
      },
      { detail },
    ),
  invalidAgreementData: (issues: string[]) =>
    new DocumentError(
      DocumentErrorCode.InvalidAgreementData,
      { id: 'Data perjanjian tidak valid.', en: 'The agreement data is invalid.' },
      { issues },
    ),
  keyDecryptionFailed: () =>
    new DocumentError(DocumentErrorCode.KeyDecryptionFailed, {
      id: 'Kunci privat tidak dapat dibuka (rahasia utama salah atau data rusak).',
      en: 'The private key cannot be decrypted (wrong master secret or corrupted data).',
    }),
  signingFailed: (detail: string) =>
    new DocumentError(
      DocumentErrorCode.SigningFailed,
      { id: 'Penandatanganan dokumen gagal.', en: 'Signing the document failed.' },
      { detail },
    ),
  invalidArgument: (detail: string) =>
    new DocumentError(DocumentErrorCode.InvalidArgument, { id: 'Argumen tidak valid.', en: 'Invalid argument.' }, { detail }),
  verifierBusy: () =>
    new DocumentError(DocumentErrorCode.VerifierBusy, {
      id: 'Pemeriksaan tanda tangan sedang penuh. Coba lagi beberapa saat lagi.',
      en: 'Signature checking is at capacity. Try again in a moment.',
    }),
  verificationAborted: (detail: string) =>
    new DocumentError(
      DocumentErrorCode.VerificationAborted,
      {
        id: 'Pemeriksaan tanda tangan dihentikan karena melewati batas waktu. Coba lagi nanti, atau periksa berkasnya.',
        en: 'Signature checking was stopped because it exceeded its time limit. Try again later, or check the file.',
      },
      { detail },
    ),
};
