import { AppError, ErrorCode, type LocalizedText } from '@betang/core';
import { appendAudit, claimLoginAttempt, clearLoginFailures, findUserById, type Db, type UserRecord } from '@betang/db';
import type { auditContext } from '../http/context';
import { accountLockedError, LOCK_STEPS_MINUTES, LOCKOUT_THRESHOLD } from '../security/lockout';
import { verifyPassword } from '../security/password';
import { verifyTotp } from '../security/totp';

/**
 * Re-authenticates the signed-in user before a sensitive action (signing): password, and the
 * TOTP code when the user has TOTP. Guarantees: a failure is audited as `<action>_failed` with
 * the reason (committed even though the request fails), counts towards the sign-in lockout
 * (claimed before the password check, like sign-in, so parallel guesses cannot pass a lock; a
 * missing TOTP code is asked for without counting), and answers 401 without saying what was
 * wrong; a locked account answers 429 saying until when. Success resets the count.
 */
export async function reauthenticate(
  db: Db,
  input: { userId: string; password: string; totp?: string; /** false: the password alone (enrolling a new authenticator). */ checkTotp?: boolean; /** The 401's message (default: the signing one). */ refusal?: LocalizedText; action: string; target: { type: string; id: string; institutionId: string | null }; audit: ReturnType<typeof auditContext> },
): Promise<UserRecord> {
  const user = await findUserById(db, input.userId);
  const checkTotp = input.checkTotp ?? true;
  const totpMissing = checkTotp && !!user?.totpSecret && input.totp === undefined;
  const claim = user?.isActive && !totpMissing ? await claimLoginAttempt(db, user.id, LOCKOUT_THRESHOLD, LOCK_STEPS_MINUTES) : undefined;
  const lockedUntil = claim && !claim.claimed ? claim.lockedUntil : null;
  const passwordOk = claim?.claimed === true && (await verifyPassword(user?.passwordHash, input.password));
  const totpOk = !checkTotp || !user?.totpSecret || (input.totp !== undefined && verifyTotp(user.totpSecret, input.totp));
  const failure = !user || !user.isActive ? 'inactive' : totpMissing ? 'totp_required' : lockedUntil ? 'locked' : !passwordOk ? 'wrong_password' : !totpOk ? 'wrong_totp' : null;
  if (!failure) {
    await clearLoginFailures(db, user!.id);
    return user!;
  }
  await db.transaction().execute(async (tx) => {
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
  throw new AppError(
    ErrorCode.InvalidCredentials,
    input.refusal ?? { id: 'Kata sandi atau kode TOTP salah; dokumen tidak ditandatangani.', en: 'Wrong password or TOTP code; the document was not signed.' },
  );
}
