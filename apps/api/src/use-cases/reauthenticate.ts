import { AppError, ErrorCode, type LocalizedText } from '@betang/core';
import { appendAudit, findUserById, type Db, type UserRecord } from '@betang/db';
import type { Logger } from 'pino';
import type { auditContext } from '../http/context';
import { LoginThrottle, tooManySignInsError } from '../security/login-throttle';
import { verifyPassword } from '../security/password';
import { TotpSecretBox } from '../security/totp-secret-box';
import { checkTotpCode, totpUnreadableError } from './sign-in';

/**
 * Re-authenticates the signed-in user before a sensitive action (signing, changing the second
 * factor): password, and the TOTP code when the user has TOTP (each code is accepted once).
 * Guarantees: a failure is audited as `<action>_failed` with the reason (committed even though the
 * request fails), counts towards the sign-in delays of this user's e-mail from this address
 * (claimed before the password check, like sign-in, so parallel guesses cannot pass a delay; a
 * missing TOTP code is asked for without counting), and answers 401 without saying what was
 * wrong; a running delay answers 429. Success gives the claim back.
 */
export async function reauthenticate(
  db: Db,
  input: {
    userId: string;
    password: string;
    totp?: string;
    /** false: the password alone. */
    checkTotp?: boolean;
    /** The 401's message (default: the signing one). */
    refusal?: LocalizedText;
    action: string;
    target: { type: string; id: string; institutionId: string | null };
    audit: ReturnType<typeof auditContext>;
    /** SIGNING_MASTER_SECRET: the TOTP secret is stored encrypted under a key derived from it. */
    masterSecret: string;
    /** Where an unreadable TOTP secret is reported to operators. */
    logger?: Logger;
  },
): Promise<UserRecord> {
  const user = await findUserById(db, input.userId);
  const checkTotp = input.checkTotp ?? true;
  const totpMissing = checkTotp && !!user?.totpSecret && input.totp === undefined;
  const throttle = new LoginThrottle(db);
  const ip = input.audit.ip ?? 'unknown';
  const claim = user?.isActive && !totpMissing ? await throttle.claim(user.email, ip) : undefined;
  const passwordOk = claim?.allowed === true && (await verifyPassword(user?.passwordHash, input.password));
  const totp =
    passwordOk && checkTotp && user?.totpSecret
      ? await checkTotpCode(db, new TotpSecretBox(input.masterSecret), user, input.totp, input.logger)
      : null;
  const failure =
    !user || !user.isActive
      ? 'inactive'
      : totpMissing
        ? 'totp_required'
        : claim && !claim.allowed
          ? 'throttled'
          : !passwordOk
            ? 'wrong_password'
            : totp;
  if (!failure) {
    await throttle.succeeded(user!.email, ip);
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
  if (claim && !claim.allowed) throw tooManySignInsError(claim.retryAfterSeconds);
  if (failure === 'totp_unreadable') throw totpUnreadableError();
  throw new AppError(
    ErrorCode.InvalidCredentials,
    input.refusal ?? {
      id: 'Kata sandi atau kode TOTP salah; dokumen tidak ditandatangani.',
      en: 'Wrong password or TOTP code; the document was not signed.',
    },
  );
}
