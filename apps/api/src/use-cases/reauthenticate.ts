import { AppError, ErrorCode, type LocalizedText } from '@betang/core';
import { appendAudit, findUserById, type Db, type UserRecord } from '@betang/db';
import type { Logger } from 'pino';
import type { auditContext } from '../http/context';
import { LoginThrottle, tooManySignInsError } from '../security/login-throttle';
import { verifyPassword } from '../security/password';
import { passwordDisabledFor } from '../security/password-roles';
import { TotpSecretBox } from '../security/totp-secret-box';
import { checkTotpCode, totpUnreadableError } from './sign-in';

/** The 401 of a sensitive action asked without a password by a session not recently re-authenticated at the provider. */
export function reauthRequiredError(): AppError {
  return new AppError(
    ErrorCode.InvalidCredentials,
    {
      id: 'Masukkan kata sandi Anda, atau masuk ulang melalui SSO, lalu coba lagi.',
      en: 'Enter your password, or sign in again through SSO, then try again.',
    },
    { reason: 'reauth_required' },
  );
}

/**
 * Re-authenticates the signed-in user before a sensitive action (signing, changing the second
 * factor): the password — or, without one, a fresh re-authentication of this session at the
 * identity provider (`ssoReauth`, still inside its window) — and the TOTP code when the user has
 * TOTP (each code is accepted once) unless that re-authentication was multi-factor.
 * Guarantees: a failure is audited as `<action>_failed` with the reason (committed even though the
 * request fails), counts towards the sign-in delays of this user's e-mail from this address
 * (claimed before the password check, like sign-in, so parallel guesses cannot pass a delay; a
 * missing TOTP code is asked for without counting), and answers 401 without saying what was
 * wrong; a running delay answers 429. No password and no fresh re-authentication answers 401
 * with `reason: reauth_required` and counts nothing, as does a password from a holder of a role
 * whose password is turned off (OIDC_PASSWORD_DISABLED_ROLES). Success gives the claim back.
 */
export async function reauthenticate(
  db: Db,
  input: {
    userId: string;
    /** Absent: the session's re-authentication at the provider stands in for it. */
    password?: string | undefined;
    /** The calling session's re-authentication at the provider (Authentication.sessionReauth). */
    ssoReauth?: { until: Date; multiFactor: boolean } | undefined;
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
    /** OIDC_PASSWORD_DISABLED_ROLES: a holder of one of them proves who they are at the provider only. */
    passwordDisabledRoles: readonly string[] | undefined;
    /** Where an unreadable TOTP secret is reported to operators. */
    logger?: Logger;
  },
): Promise<UserRecord> {
  const user = await findUserById(db, input.userId);
  const checkTotp = input.checkTotp ?? true;
  const viaSso = input.password === undefined;
  const ssoFresh = viaSso && input.ssoReauth !== undefined && input.ssoReauth.until.getTime() > Date.now();
  // The provider's multi-factor login already proved what Betang's TOTP would.
  const totpWanted = checkTotp && !!user?.totpSecret && !(ssoFresh && input.ssoReauth!.multiFactor);
  const totpMissing = totpWanted && input.totp === undefined;
  // A role whose password is turned off cannot use it here either: only the provider vouches.
  const passwordRefused = !viaSso && !!user && passwordDisabledFor(user.roles, input.passwordDisabledRoles);
  const attempted = (!viaSso && !passwordRefused) || ssoFresh;
  const throttle = new LoginThrottle(db);
  const ip = input.audit.ip ?? 'unknown';
  const claim = user?.isActive && attempted && !totpMissing ? await throttle.claim(user.email, ip) : undefined;
  const firstFactorOk =
    claim?.allowed === true && (input.password === undefined ? ssoFresh : await verifyPassword(user?.passwordHash, input.password));
  const totp =
    firstFactorOk && totpWanted && user?.totpSecret
      ? await checkTotpCode(db, new TotpSecretBox(input.masterSecret), user, input.totp, input.logger)
      : null;
  const failure =
    !user || !user.isActive
      ? 'inactive'
      : passwordRefused
        ? 'password_disabled'
        : !attempted
          ? 'reauth_required'
          : totpMissing
            ? 'totp_required'
            : claim && !claim.allowed
              ? 'throttled'
              : !firstFactorOk
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
      after: { reason: failure, ...(viaSso ? { method: 'sso' } : {}) },
    });
  });
  if (failure === 'reauth_required') throw reauthRequiredError();
  if (failure === 'password_disabled')
    throw new AppError(
      ErrorCode.InvalidCredentials,
      {
        id: 'Peran Anda tidak memakai kata sandi Betang; masuk ulang melalui SSO, lalu coba lagi.',
        en: 'Your role does not use a Betang password; sign in again through SSO, then try again.',
      },
      { reason: 'reauth_required' },
    );
  if (claim && !claim.allowed) throw tooManySignInsError(claim.retryAfterSeconds);
  if (failure === 'totp_unreadable') throw totpUnreadableError();
  // After the provider vouched for the person only the code can be wrong.
  if (viaSso)
    throw new AppError(ErrorCode.InvalidCredentials, {
      id: 'Kode TOTP salah atau belum diisi; masukkan kode dari aplikasi autentikator Anda.',
      en: 'The TOTP code is wrong or missing; enter the code from your authenticator app.',
    });
  throw new AppError(
    ErrorCode.InvalidCredentials,
    input.refusal ?? {
      id: 'Kata sandi atau kode TOTP salah; dokumen tidak ditandatangani.',
      en: 'Wrong password or TOTP code; the document was not signed.',
    },
  );
}
