import { AppError, ErrorCode } from '@betang/core';

/** Consecutive failed sign-ins (or re-authentications) after which the account is locked. */
export const LOCKOUT_THRESHOLD = 5;

/**
 * Lock length in minutes for the 1st, 2nd, 3rd… lock in a row (each further failure after the
 * threshold locks again for the next step; the last step is the cap). Reset by a successful sign-in.
 */
export const LOCK_STEPS_MINUTES: readonly number[] = [1, 5, 15, 60];

const wibId = new Intl.DateTimeFormat('id-ID', { timeZone: 'Asia/Jakarta', dateStyle: 'long', timeStyle: 'short' });
const wibEn = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Jakarta', dateStyle: 'long', timeStyle: 'short' });

/** A moment in Western Indonesian Time for people, in both languages (e.g. "28 November 2026 pukul 07.15 WIB"). */
export function formatWib(at: Date): { id: string; en: string } {
  return { id: `${wibId.format(at)} WIB`, en: `${wibEn.format(at)} WIB` };
}

/**
 * The 429 of a locked account. Guarantees: says until when (WIB) in id + en, and carries
 * `details.retryAfterSeconds` and `details.lockedUntil` (ISO) for clients and Retry-After.
 */
export function accountLockedError(lockedUntil: Date, now = new Date()): AppError {
  const until = formatWib(lockedUntil);
  return new AppError(
    ErrorCode.RateLimited,
    {
      id: `Akun dikunci sementara karena terlalu sering gagal masuk, sampai ${until.id}. Coba lagi setelahnya atau hubungi operator.`,
      en: `Account temporarily locked after too many failed sign-ins, until ${until.en}. Try again then or contact the operators.`,
    },
    { retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000)), lockedUntil: lockedUntil.toISOString() },
  );
}
