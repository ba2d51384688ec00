import { SecretError } from '@betang/config';
import { AppError, ErrorCode, type LoginBody } from '@betang/core';
import {
  appendAudit,
  consumeTotpStep,
  findUserByEmail,
  insertSession,
  recordLoginSuccess,
  replacePlainTotpSecret,
  type Db,
  type UserRecord,
} from '@betang/db';
import type { Logger } from 'pino';
import type { LoginThrottle } from '../security/login-throttle';
import { tooManySignInsError } from '../security/login-throttle';
import { verifyPassword } from '../security/password';
import { hashSecret, randomSecret } from '../security/secrets';
import { matchTotpStep } from '../security/totp';
import { TotpSecretBox } from '../security/totp-secret-box';
import { passwordDisabledFor } from '../security/password-roles';

type RequestMeta = { requestId: string; ip: string | null; userAgent: string | null };

/**
 * Why the second factor of a user with TOTP failed, or null when it passed (the step is then
 * taken). `totp_unreadable`: the stored secret does not open under this SIGNING_MASTER_SECRET.
 */
type TotpCheck = 'wrong_totp' | 'totp_reused' | 'totp_unreadable' | null;

/**
 * Checks a TOTP code of a user who has TOTP and takes its time-step. Guarantees: a code is
 * accepted once (consumeTotpStep: atomic, parallel submissions of one code cannot both pass); a
 * secret still stored in plain text is sealed on the way (compare-and-set); a sealed secret that
 * no longer opens (SIGNING_MASTER_SECRET changed, or the row was tampered with) answers
 * `totp_unreadable` and is logged with what the operator can do, instead of failing the request.
 */
export async function checkTotpCode(
  db: Db,
  box: TotpSecretBox,
  user: Pick<UserRecord, 'id' | 'totpSecret'>,
  code: string | undefined,
  logger?: Logger,
): Promise<TotpCheck> {
  if (!user.totpSecret) throw new Error('checkTotpCode needs a user with TOTP');
  let secret: string;
  try {
    secret = box.open(user.id, user.totpSecret);
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    logger?.error(
      { userId: user.id, reason: error.reason },
      'the TOTP secret of this user does not open under the current SIGNING_MASTER_SECRET: restore the previous value of SIGNING_MASTER_SECRET, ' +
        'or reset the TOTP of the user (POST /api/v1/users/{id}/totp/reset, admin) so they enrol again',
    );
    return 'totp_unreadable';
  }
  if (TotpSecretBox.isPlain(user.totpSecret)) await replacePlainTotpSecret(db, user.id, user.totpSecret, box.seal(user.id, secret));
  const step = code === undefined ? null : matchTotpStep(secret, code);
  if (step === null) return 'wrong_totp';
  return (await consumeTotpStep(db, user.id, step)) ? null : 'totp_reused';
}

/**
 * The answer to a right password whose user's TOTP secret cannot be read: only an administrator
 * can help (reset the authenticator), so it says so instead of "wrong code". It is given only
 * after the right password, so it tells a guesser nothing.
 */
export function totpUnreadableError(): AppError {
  return new AppError(
    ErrorCode.InvalidState,
    {
      id: 'Aplikasi autentikator akun ini tidak dapat diperiksa oleh server. Hubungi admin pusat data untuk mengatur ulang TOTP Anda, lalu daftarkan aplikasi autentikator lagi.',
      en: 'The server cannot check the authenticator of this account. Contact a data-center admin to reset your TOTP, then enrol your authenticator app again.',
    },
    { reason: 'totp_unreadable' },
  );
}

/**
 * The answer to a right password of a user whose role must sign in through single sign-on. It
 * is given only after the right password (and code), so it tells a guesser nothing.
 */
export function ssoRequiredError(): AppError {
  return new AppError(
    ErrorCode.Forbidden,
    {
      id: 'Akun dengan peran ini wajib masuk melalui SSO (tombol "Masuk dengan SSO"); kata sandi Betang tidak dipakai.',
      en: 'Accounts with this role must sign in through SSO (the "Sign in with SSO" button); Betang passwords are not used.',
    },
    { reason: 'sso_required' },
  );
}

/**
 * Signs a user in: argon2id password check, TOTP (each code once) when enabled, growing delays
 * per e-mail + client address after repeated failures (security/login-throttle.ts). Guarantees:
 * the attempt is claimed before the password is checked, so parallel guesses cannot slip past a
 * delay; a success gives the claim back. An unknown e-mail goes through the same claim and an
 * argon2 check of a dummy hash, so status, body, headers and time do not tell it from a known
 * one; the reason of a failure is only audited, never told. A holder of a role in
 * `passwordDisabledRoles` is refused even with the right password (they must use SSO).
 */
export async function signIn(
  db: Db,
  input: LoginBody,
  meta: RequestMeta,
  options: {
    sessionTtlHours: number;
    throttle: LoginThrottle;
    totpBox: TotpSecretBox;
    logger?: Logger;
    passwordDisabledRoles?: readonly string[];
  },
): Promise<{ user: UserRecord; sessionSecret: string; csrfToken: string; expiresAt: Date }> {
  const ip = meta.ip ?? 'unknown';
  const claim = await options.throttle.claim(input.email, ip);
  const user = await findUserByEmail(db, input.email);
  const passwordOk = claim.allowed && (await verifyPassword(user?.passwordHash, input.password));
  // The code is checked (and its step taken) only after the right password: a guesser without it cannot burn codes.
  const totp = passwordOk && user?.totpSecret ? await checkTotpCode(db, options.totpBox, user, input.totp, options.logger) : null;
  const failure = !claim.allowed
    ? 'throttled'
    : !user
      ? 'unknown_email'
      : !user.isActive
        ? 'inactive'
        : !passwordOk
          ? 'wrong_password'
          : totp;

  if (failure) {
    await db.transaction().execute(async (tx) => {
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
    if (!claim.allowed) throw tooManySignInsError(claim.retryAfterSeconds);
    if (failure === 'totp_unreadable') throw totpUnreadableError();
    throw new AppError(ErrorCode.InvalidCredentials);
  }

  if (passwordDisabledFor(user!.roles, options.passwordDisabledRoles)) {
    await options.throttle.succeeded(input.email, ip);
    await appendAudit(db, {
      actorUserId: user!.id,
      actorLabel: input.email,
      institutionId: user!.institutionId,
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: user!.id,
      after: { reason: 'sso_required', email: input.email },
      ...meta,
    });
    throw ssoRequiredError();
  }

  const sessionSecret = randomSecret(32);
  const csrfToken = randomSecret(24);
  const expiresAt = new Date(Date.now() + options.sessionTtlHours * 3_600_000);
  await options.throttle.succeeded(input.email, ip);
  await db.transaction().execute(async (tx) => {
    await insertSession(tx, {
      idHash: hashSecret(sessionSecret),
      userId: user!.id,
      csrfToken,
      ip: meta.ip,
      userAgent: meta.userAgent,
      expiresAt,
    });
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
