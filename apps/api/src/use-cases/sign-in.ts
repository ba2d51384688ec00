import { AppError, ErrorCode, type LoginBody } from '@betang/core';
import { appendAudit, claimLoginAttempt, findUserByEmail, insertSession, recordLoginSuccess, type Db, type UserRecord } from '@betang/db';
import { accountLockedError, LOCK_STEPS_MINUTES, LOCKOUT_THRESHOLD } from '../security/lockout';
import { verifyPassword } from '../security/password';
import { hashSecret, randomSecret } from '../security/secrets';
import { verifyTotp } from '../security/totp';

export type RequestMeta = { requestId: string; ip: string | null; userAgent: string | null };

/**
 * Signs a user in: argon2id password check, TOTP when enabled, lockout with backoff after
 * repeated failures (see security/lockout.ts). Guarantees: the attempt is counted before the
 * password is checked and only while the account is not locked (claimLoginAttempt), so parallel
 * guesses cannot slip past a lock; a success resets the count. Every attempt is audited (success
 * with the session in one transaction); the reason of a failure is never revealed to the caller,
 * except that a locked account answers 429 saying until when (WIB).
 */
export async function signIn(
  db: Db,
  input: LoginBody,
  meta: RequestMeta,
  sessionTtlHours: number,
): Promise<{ user: UserRecord; sessionSecret: string; csrfToken: string; expiresAt: Date }> {
  const user = await findUserByEmail(db, input.email);
  // A wrong TOTP code after the right password counts too: it is the last factor between a guesser and the account.
  const claim = user?.isActive ? await claimLoginAttempt(db, user.id, LOCKOUT_THRESHOLD, LOCK_STEPS_MINUTES) : undefined;
  const lockedUntil = claim && !claim.claimed ? claim.lockedUntil : null;
  const passwordOk = await verifyPassword(user?.passwordHash, input.password);
  const totpOk = !user?.totpSecret || (input.totp !== undefined && verifyTotp(user.totpSecret, input.totp));
  const failure = !user ? 'unknown_email' : !user.isActive ? 'inactive' : lockedUntil ? 'locked' : !passwordOk ? 'wrong_password' : !totpOk ? 'wrong_totp' : null;

  if (failure) {
    const counted = claim?.claimed ? claim : null;
    await db.transaction().execute(async (tx) => {
      await appendAudit(tx, {
        actorUserId: user?.id ?? null,
        actorLabel: input.email,
        institutionId: user?.institutionId ?? null,
        action: 'auth.login_failed',
        targetType: 'user',
        targetId: user?.id ?? null,
        after: { reason: failure, email: input.email, ...(counted?.lockedUntil ? { failedLogins: counted.failedLogins, lockedUntil: counted.lockedUntil.toISOString() } : {}) },
        ...meta,
      });
    });
    if (lockedUntil) throw accountLockedError(lockedUntil);
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
