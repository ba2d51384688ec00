import { AppError, ErrorCode, type LoginBody } from '@betang/core';
import { appendAudit, findUserByEmail, insertSession, recordLoginFailure, recordLoginSuccess, type Db, type UserRecord } from '@betang/db';
import { verifyPassword } from '../security/password';
import { hashSecret, randomSecret } from '../security/secrets';
import { verifyTotp } from '../security/totp';

/** Failed sign-ins before the account is locked, and for how long. */
export const MAX_LOGIN_FAILURES = 10;
export const LOCK_MINUTES = 15;

export type RequestMeta = { requestId: string; ip: string | null; userAgent: string | null };

/**
 * Signs a user in: argon2id password check, TOTP when enabled, lockout after repeated failures.
 * Guarantees: every attempt is audited (success with the session in one transaction; failure with
 * the failure counter); the reason of a failure is never revealed to the caller.
 */
export async function signIn(
  db: Db,
  input: LoginBody,
  meta: RequestMeta,
  sessionTtlHours: number,
): Promise<{ user: UserRecord; sessionSecret: string; csrfToken: string; expiresAt: Date }> {
  const user = await findUserByEmail(db, input.email);
  const passwordOk = await verifyPassword(user?.passwordHash, input.password);
  const locked = user?.lockedUntil !== undefined && user.lockedUntil !== null && user.lockedUntil > new Date();
  const totpOk = !user?.totpSecret || (input.totp !== undefined && verifyTotp(user.totpSecret, input.totp));
  const failure = !user ? 'unknown_email' : !user.isActive ? 'inactive' : locked ? 'locked' : !passwordOk ? 'wrong_password' : !totpOk ? 'wrong_totp' : null;

  if (failure) {
    await db.transaction().execute(async (tx) => {
      if (user && failure === 'wrong_password') await recordLoginFailure(tx, user.id, MAX_LOGIN_FAILURES, LOCK_MINUTES);
      await appendAudit(tx, {
        actorUserId: user?.id ?? null,
        actorLabel: input.email,
        institutionId: user?.institutionId ?? null,
        action: 'auth.login_failed',
        targetType: 'user',
        targetId: user?.id ?? null,
        after: { reason: failure, email: input.email },
        ...meta,
      });
    });
    if (failure === 'locked') {
      throw new AppError(ErrorCode.RateLimited, {
        id: `Akun dikunci sementara setelah ${MAX_LOGIN_FAILURES} kali gagal masuk. Coba lagi dalam ${LOCK_MINUTES} menit atau hubungi operator.`,
        en: `Account temporarily locked after ${MAX_LOGIN_FAILURES} failed sign-ins. Try again in ${LOCK_MINUTES} minutes or contact the operators.`,
      });
    }
    throw new AppError(ErrorCode.InvalidCredentials);
  }

  const sessionSecret = randomSecret(32);
  const csrfToken = randomSecret(24);
  const expiresAt = new Date(Date.now() + sessionTtlHours * 3_600_000);
  await db.transaction().execute(async (tx) => {
    await insertSession(tx, { idHash: hashSecret(sessionSecret), userId: user!.id, csrfToken, ip: meta.ip, userAgent: meta.userAgent, expiresAt });
    await recordLoginSuccess(tx, user!.id);
    await appendAudit(tx, {
      actorUserId: user!.id,
      actorLabel: `${user!.name} <${user!.email}>`,
      institutionId: user!.institutionId,
      action: 'auth.login_succeeded',
      targetType: 'user',
      targetId: user!.id,
      ...meta,
    });
  });
  return { user: user!, sessionSecret, csrfToken, expiresAt };
}
