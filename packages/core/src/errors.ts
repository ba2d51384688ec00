import type { Locale, LocalizedText } from './i18n';

/** Stable error codes. The HTTP layer maps each to a status; clients may rely on them. */
export enum ErrorCode {
  /** Input failed validation; details list the failing field paths. */
  ValidationFailed = 'VALIDATION_FAILED',
  /** No valid session or token was presented. */
  Unauthenticated = 'UNAUTHENTICATED',
  /** Sign-in failed: unknown e-mail, wrong password or wrong TOTP code (never says which). */
  InvalidCredentials = 'INVALID_CREDENTIALS',
  /** Signed in, but the role does not allow this action. */
  Forbidden = 'FORBIDDEN',
  /** Cookie-authenticated unsafe request without a matching X-CSRF-Token. */
  CsrfTokenInvalid = 'CSRF_TOKEN_INVALID',
  /** The resource does not exist, or belongs to another institution. */
  NotFound = 'NOT_FOUND',
  /** A unique value is already taken (e-mail, code, hostname…). */
  Conflict = 'CONFLICT',
  /** The resource is not in a state that allows this action. */
  InvalidState = 'INVALID_STATE',
  /** The institution has no agreement in force covering the request. */
  NoAgreementInForce = 'NO_AGREEMENT_IN_FORCE',
  /** The request would exceed the institution's quota. */
  QuotaExceeded = 'QUOTA_EXCEEDED',
  /** An uploaded document was refused: not a PDF, damaged, not signed validly, or not the generated agreement. */
  DocumentRejected = 'DOCUMENT_REJECTED',
  /** Data the action depends on is missing (e.g. the head of an institution has no NIP on record). */
  PreconditionFailed = 'PRECONDITION_FAILED',
  /** The user named as a VM's responsible person does not qualify (inactive, another institution, no institution role). */
  PicNotEligible = 'PIC_NOT_ELIGIBLE',
  /** No free IP address in any pool the request may use. */
  NoAddressAvailable = 'NO_ADDRESS_AVAILABLE',
  /** Too many requests; try again later. */
  RateLimited = 'RATE_LIMITED',
  /**
   * The user holds a role that requires two-factor sign-in (TOTP) and has not enrolled yet: only
   * GET /me, TOTP enrolment and sign-out are served until they do.
   */
  TotpEnrolmentRequired = 'TOTP_ENROLMENT_REQUIRED',
  /** An API token lacks the scope this route needs (or the route is for browser sessions only). */
  TokenScopeMissing = 'TOKEN_SCOPE_MISSING',
  /** The request body is larger than allowed. */
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  /** Proxmox VE could not be reached or answered with an error. */
  PveUnavailable = 'PVE_UNAVAILABLE',
  /** A dependency (database, queue) is not available. */
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  /** Unexpected failure; details are in the server log under the request id. */
  Internal = 'INTERNAL',
}

const DEFAULT_MESSAGES: Record<ErrorCode, LocalizedText> = {
  [ErrorCode.ValidationFailed]: { id: 'Data yang dikirim tidak valid.', en: 'The submitted data is invalid.' },
  [ErrorCode.Unauthenticated]: { id: 'Silakan masuk terlebih dahulu.', en: 'Please sign in first.' },
  [ErrorCode.InvalidCredentials]: {
    id: 'E-mail, kata sandi, atau kode TOTP salah.',
    en: 'Wrong e-mail, password or TOTP code.',
  },
  [ErrorCode.Forbidden]: {
    id: 'Peran Anda tidak mengizinkan tindakan ini.',
    en: 'Your role does not allow this action.',
  },
  [ErrorCode.CsrfTokenInvalid]: {
    id: 'Token CSRF tidak ada atau tidak cocok. Muat ulang halaman lalu coba lagi.',
    en: 'CSRF token missing or invalid. Reload the page and try again.',
  },
  [ErrorCode.NotFound]: { id: 'Data tidak ditemukan.', en: 'Not found.' },
  [ErrorCode.Conflict]: { id: 'Data sudah ada.', en: 'Already exists.' },
  [ErrorCode.InvalidState]: {
    id: 'Tindakan ini tidak dapat dilakukan pada status saat ini.',
    en: 'This action is not allowed in the current state.',
  },
  [ErrorCode.NoAgreementInForce]: {
    id: 'Perangkat daerah belum memiliki perjanjian pemanfaatan server yang berlaku.',
    en: 'The institution has no server-utilization agreement in force.',
  },
  [ErrorCode.QuotaExceeded]: { id: 'Kuota perangkat daerah tidak mencukupi.', en: "The institution's quota is insufficient." },
  [ErrorCode.DocumentRejected]: {
    id: 'Dokumen ditolak: bukan PDF yang utuh, tanda tangannya tidak sah, atau bukan dokumen perjanjian yang dibuat Betang.',
    en: 'Document rejected: not an intact PDF, a signature does not verify, or it is not the agreement Betang generated.',
  },
  [ErrorCode.PreconditionFailed]: {
    id: 'Data yang diperlukan untuk tindakan ini belum lengkap.',
    en: 'Data this action depends on is incomplete.',
  },
  [ErrorCode.PicNotEligible]: {
    id: 'Penanggung jawab VM harus pengguna aktif perangkat daerah pemilik VM yang memegang peran perangkat daerah.',
    en: "A VM's responsible person must be an active user of the VM's institution holding an institution role.",
  },
  [ErrorCode.NoAddressAvailable]: {
    id: 'Tidak ada alamat IP yang tersedia.',
    en: 'No IP address is available.',
  },
  [ErrorCode.RateLimited]: {
    id: 'Terlalu banyak permintaan. Coba lagi sebentar lagi.',
    en: 'Too many requests. Try again shortly.',
  },
  [ErrorCode.TotpEnrolmentRequired]: {
    id: 'Peran Anda mewajibkan verifikasi dua langkah (TOTP). Daftarkan aplikasi autentikator di halaman Keamanan terlebih dahulu.',
    en: 'Your role requires two-factor sign-in (TOTP). Enrol an authenticator app on the Security page first.',
  },
  [ErrorCode.TokenScopeMissing]: {
    id: 'Token API ini tidak memiliki cakupan (scope) untuk tindakan ini.',
    en: 'This API token does not have the scope this action needs.',
  },
  [ErrorCode.PayloadTooLarge]: { id: 'Data yang dikirim terlalu besar.', en: 'The request body is too large.' },
  [ErrorCode.PveUnavailable]: {
    id: 'Klaster Proxmox sedang tidak dapat dihubungi.',
    en: 'The Proxmox cluster cannot be reached.',
  },
  [ErrorCode.ServiceUnavailable]: {
    id: 'Layanan sedang tidak tersedia. Coba lagi nanti.',
    en: 'The service is unavailable. Try again later.',
  },
  [ErrorCode.Internal]: {
    id: 'Terjadi kesalahan pada server. Hubungi operator dengan menyebutkan ID permintaan.',
    en: 'A server error occurred. Contact the operators and quote the request id.',
  },
};

/** The application's one error type: a stable code, a bilingual safe message, optional details. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly text: LocalizedText;
  readonly details: unknown;

  constructor(code: ErrorCode, text?: Partial<LocalizedText>, details?: unknown) {
    const merged = { ...DEFAULT_MESSAGES[code], ...text };
    super(merged.en);
    this.name = 'AppError';
    this.code = code;
    this.text = merged;
    this.details = details;
  }

  /** The message in the given language. */
  messageIn(locale: Locale): string {
    return this.text[locale];
  }
}

/** Default bilingual message of an error code. */
export function defaultMessage(code: ErrorCode): LocalizedText {
  return DEFAULT_MESSAGES[code];
}

/** Convenience factories with stable codes (outline-style error factories). */
export const errors = {
  notFound: (what?: Partial<LocalizedText>) => new AppError(ErrorCode.NotFound, what),
  forbidden: () => new AppError(ErrorCode.Forbidden),
  conflict: (text?: Partial<LocalizedText>, details?: unknown) => new AppError(ErrorCode.Conflict, text, details),
  invalidState: (text?: Partial<LocalizedText>, details?: unknown) => new AppError(ErrorCode.InvalidState, text, details),
  unauthenticated: () => new AppError(ErrorCode.Unauthenticated),
  invalidCredentials: () => new AppError(ErrorCode.InvalidCredentials),
};
