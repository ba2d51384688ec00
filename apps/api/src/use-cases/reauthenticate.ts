import { AppError, ErrorCode } from '@betang/core';
import { appendAudit, findUserById, recordLoginFailure, type Db, type UserRecord } from '@betang/db';
import type { auditContext } from '../http/context';
import { verifyPassword } from '../security/password';
import { verifyTotp } from '../security/totp';
import { LOCK_MINUTES, MAX_LOGIN_FAILURES } from './sign-in';

/**
 * Re-authenticates the signed-in user before a sensitive action (signing): password, and the
 * TOTP code when the user has TOTP. Guarantees: a failure is audited as `<action>_failed` with
 * the reason (committed even though the request fails), counts towards the sign-in lockout,
 * and answers 401 without saying what was wrong; a locked account answers 429.
 */
export async function reauthenticate(
  db: Db,
  input: { userId: string; password: string; totp?: string; action: string; target: { type: string; id: string; institutionId: string | null }; audit: ReturnType<typeof auditContext> },
): Promise<UserRecord> {
  const user = await findUserById(db, input.userId);
  const passwordOk = await verifyPassword(user?.passwordHash, input.password);
  const locked = Boolean(user?.lockedUntil && user.lockedUntil > new Date());
  const totpOk = !user?.totpSecret || (input.totp !== undefined && verifyTotp(user.totpSecret, input.totp));
  const failure = !user || !user.isActive ? 'inactive' : locked ? 'locked' : !passwordOk ? 'wrong_password' : !totpOk ? (input.totp ? 'wrong_totp' : 'totp_required') : null;
  if (!failure) return user!;
  await db.transaction().execute(async (tx) => {
    if (user && failure === 'wrong_password') await recordLoginFailure(tx, user.id, MAX_LOGIN_FAILURES, LOCK_MINUTES);
    await appendAudit(tx, {
      ...input.audit,
      institutionId: input.target.institutionId,
      action: `${input.action}_failed`,
      targetType: input.target.type,
      targetId: input.target.id,
      after: { reason: failure },
    });
  });
  if (failure === 'locked') throw new AppError(ErrorCode.RateLimited);
  throw new AppError(ErrorCode.InvalidCredentials, {
    id: 'Kata sandi atau kode TOTP salah; dokumen tidak ditandatangani.',
    en: 'Wrong password or TOTP code; the document was not signed.',
  });
}
