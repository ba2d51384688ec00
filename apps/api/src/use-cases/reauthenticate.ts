import { AppError, ErrorCode } from '@betang/core';
import { appendAudit, findUserById, recordLoginFailureWithBackoff, type Db, type UserRecord } from '@betang/db';
import type { auditContext } from '../http/context';
import { accountLockedError, LOCK_STEPS_MINUTES, LOCKOUT_THRESHOLD } from '../security/lockout';
import { verifyPassword } from '../security/password';
import { verifyTotp } from '../security/totp';

/**
 * Re-authenticates the signed-in user before a sensitive action (signing): password, and the
 * TOTP code when the user has TOTP. Guarantees: a failure is audited as `<action>_failed` with
 * the reason (committed even though the request fails), counts towards the sign-in lockout,
 * and answers 401 without saying what was wrong; a locked account answers 429 saying until when.
 */
export async function reauthenticate(
  db: Db,
  input: { userId: string; password: string; totp?: string; action: string; target: { type: string; id: string; institutionId: string | null }; audit: ReturnType<typeof auditContext> },
): Promise<UserRecord> {
  const user = await findUserById(db, input.userId);
  const passwordOk = await verifyPassword(user?.passwordHash, input.password);
  const lockedUntil = user?.lockedUntil && user.lockedUntil > new Date() ? user.lockedUntil : null;
  const totpOk = !user?.totpSecret || (input.totp !== undefined && verifyTotp(user.totpSecret, input.totp));
  const failure = !user || !user.isActive ? 'inactive' : lockedUntil ? 'locked' : !passwordOk ? 'wrong_password' : !totpOk ? (input.totp ? 'wrong_totp' : 'totp_required') : null;
  if (!failure) return user!;
  await db.transaction().execute(async (tx) => {
    if (user && (failure === 'wrong_password' || failure === 'wrong_totp')) await recordLoginFailureWithBackoff(tx, user.id, LOCKOUT_THRESHOLD, LOCK_STEPS_MINUTES);
    await appendAudit(tx, {
      ...input.audit,
      institutionId: input.target.institutionId,
      action: `${input.action}_failed`,
      targetType: input.target.type,
      targetId: input.target.id,
      after: { reason: failure },
    });
  });
  if (lockedUntil) throw accountLockedError(lockedUntil);
  throw new AppError(ErrorCode.InvalidCredentials, {
    id: 'Kata sandi atau kode TOTP salah; dokumen tidak ditandatangani.',
    en: 'Wrong password or TOTP code; the document was not signed.',
  });
}
