import { AppError, ErrorCode, type LocalizedText, type ResetPasswordBody } from '@betang/core';
import {
  appendAudit,
  clearLoginThrottleOfEmail,
  deleteSessionsOfUser,
  enqueueEmail,
  findUserByEmail,
  findUserById,
  findUsablePasswordResetToken,
  insertPasswordResetToken,
  prunePasswordResetTokens,
  revokeApiTokensOfUser,
  spendPasswordResetTokensOfUser,
  updateUser,
  usePasswordResetToken,
  type Db,
  type UserRecord,
} from '@betang/db';
import type { Logger } from 'pino';
import type { auditContext } from '../http/context';
import { emailThrottleHash } from '../security/login-throttle';
import { hashPassword } from '../security/password';
import { assertAcceptablePassword } from '../security/password-policy';
import type { RateLimiter, RateLimitRule } from '../security/rate-limit';
import { hashSecret, randomSecret } from '../security/secrets';
import { passwordDisabledFor } from '../security/password-roles';

/** How long an e-mailed reset link works. */
const RESET_LINK_MINUTES = 30;

/**
 * The least time a forgot-password request takes, whatever happened: the known-e-mail path writes
 * a link and an e-mail, the unknown one does not, and this floor hides the difference.
 */
export const FORGOT_PASSWORD_MIN_MS = 400;

/** The answer to every forgot-password request that is not refused for its address. */
const FORGOT_PASSWORD_ANSWER: { message: LocalizedText } = {
  message: {
    id: 'Jika e-mail ini terdaftar dan aktif, tautan untuk mengatur ulang kata sandi telah dikirim ke sana. Tautan berlaku 30 menit dan hanya sekali pakai.',
    en: 'If this e-mail is registered and active, a link to reset the password has been sent to it. The link works for 30 minutes, once.',
  },
};

/** The web page a reset link opens; the secret travels in the fragment, so it never reaches a server log or a Referer header. */
export function resetLinkOf(publicUrl: string, secret: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/reset-password#token=${secret}`;
}

function resetEmailText(user: UserRecord, link: string): { subject: LocalizedText; text: LocalizedText } {
  return {
    subject: { id: 'Atur ulang kata sandi Betang', en: 'Reset your Betang password' },
    text: {
      id:
        `Halo ${user.name},\n\nSeseorang (semoga Anda) meminta pengaturan ulang kata sandi akun Betang ${user.email}. ` +
        `Buka tautan ini dalam ${RESET_LINK_MINUTES} menit untuk memilih kata sandi baru:\n\n${link}\n\n` +
        'Tautan hanya dapat dipakai sekali. Setelah kata sandi diganti, semua sesi masuk akun ini berakhir dan token API-nya dicabut.\n' +
        'Jika Anda tidak memintanya, abaikan e-mail ini: kata sandi Anda tidak berubah.',
      en:
        `Hello ${user.name},\n\nSomeone (hopefully you) asked to reset the password of the Betang account ${user.email}. ` +
        `Open this link within ${RESET_LINK_MINUTES} minutes to choose a new password:\n\n${link}\n\n` +
        'The link works once. When the password is changed, every session of this account ends and its API tokens are revoked.\n' +
        'If you did not ask for this, ignore this e-mail: your password has not changed.',
    },
  };
}

type ForgotPasswordOptions = {
  /** PUBLIC_URL: where people open the web app; the link points into it. */
  publicUrl: string;
  limiter: RateLimiter;
  /** The per-e-mail limit; over it the answer stays the same and no e-mail is sent. */
  perEmail: RateLimitRule;
  audit: ReturnType<typeof auditContext>;
  /** Where a failed prune of expired links is reported. */
  logger?: Logger;
  /** Roles without local passwords (OIDC_PASSWORD_DISABLED_ROLES): their holders get no link (a password they could not use). */
  passwordDisabledRoles?: readonly string[];
};

/** Why no link was sent, for the audit trail only (never told to the caller). */
type ForgotOutcome = 'sent' | 'unknown_email' | 'inactive' | 'rate_limited_email' | 'sso_required';

/**
 * Handles "forgot password" for `email`. Guarantees: the caller learns nothing about the e-mail —
 * the answer is {@link FORGOT_PASSWORD_ANSWER} and the duration at least {@link FORGOT_PASSWORD_MIN_MS} whether the
 * account exists, is inactive, or its e-mail limit was reached; an active account within the limit
 * gets one link, stored only as its hash, valid {@link RESET_LINK_MINUTES} minutes, e-mailed
 * through the outbox in the same transaction as the link and the audit entry (all or nothing);
 * a holder of a role without local passwords gets none (the same answer); every request is
 * audited with its real outcome.
 */
export async function requestPasswordReset(db: Db, email: string, options: ForgotPasswordOptions): Promise<{ message: LocalizedText }> {
  const started = Date.now();
  try {
    const byEmail = await options.limiter.hit(options.perEmail, `email:${email.toLowerCase()}`);
    const user = await findUserByEmail(db, email);
    const outcome: ForgotOutcome = !byEmail.allowed
      ? 'rate_limited_email'
      : !user
        ? 'unknown_email'
        : !user.isActive
          ? 'inactive'
          : passwordDisabledFor(user.roles, options.passwordDisabledRoles)
            ? 'sso_required'
            : 'sent';
    await db.transaction().execute(async (tx) => {
      if (outcome === 'sent' && user) {
        const secret = randomSecret(32);
        const tokenHash = hashSecret(secret);
        await insertPasswordResetToken(tx, { tokenHash, userId: user.id, expiresAt: new Date(Date.now() + RESET_LINK_MINUTES * 60_000) });
        const message = {
          to: [user.email],
          locale: user.locale,
          ...resetEmailText(user, resetLinkOf(options.publicUrl, secret)),
          reason: `password_reset:${user.id}:${tokenHash.slice(0, 16)}`,
          secret: true,
        };
        await enqueueEmail(tx, message, `email:password_reset:${tokenHash}`);
      }
      await appendAudit(tx, {
        ...options.audit,
        institutionId: user?.institutionId ?? null,
        action: 'auth.password_reset_requested',
        targetType: 'user',
        targetId: user?.id ?? null,
        after: { email: email.toLowerCase(), outcome, ...(outcome === 'sent' ? { validMinutes: RESET_LINK_MINUTES } : {}) },
      });
    });
    prunePasswordResetTokens(db).catch((error: unknown) =>
      options.logger?.warn({ err: error }, 'pruning expired password reset links failed'),
    );
    return FORGOT_PASSWORD_ANSWER;
  } finally {
    const rest = FORGOT_PASSWORD_MIN_MS - (Date.now() - started);
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
  }
}

/** The refusal of a link that is unknown, used, expired, or whose account was deactivated: one answer for all, so none can be told apart. */
function resetLinkRefused(): AppError {
  return new AppError(
    ErrorCode.InvalidState,
    {
      id: 'Tautan atur ulang kata sandi tidak berlaku: sudah dipakai, kedaluwarsa, atau tidak dikenal. Minta tautan baru dari halaman masuk.',
      en: 'The password reset link is not valid: already used, expired or unknown. Ask for a new link on the sign-in page.',
    },
    { reason: 'reset_link_invalid' },
  );
}

/**
 * Sets a new password from an e-mailed link. Guarantees: the link is checked, then the new
 * password judged (a weak one is refused without spending the link), then — in one transaction —
 * the link is used (atomically: of two parallel uses one wins), the password replaced, every
 * session of the user ended, every API token revoked, every other link of the user spent, the
 * sign-in delays of the e-mail cleared (owning the mailbox proves it is the owner), and the change
 * audited. A refused link changes nothing and is audited as `auth.password_reset_failed`.
 */
export async function resetPassword(
  db: Db,
  body: ResetPasswordBody,
  audit: ReturnType<typeof auditContext>,
): Promise<{ sessionsEnded: number; tokensRevoked: number }> {
  const tokenHash = hashSecret(body.token);
  const link = await findUsablePasswordResetToken(db, tokenHash);
  const user = link ? await findUserById(db, link.userId) : undefined;
  if (!link || !user || !user.isActive) {
    await appendAudit(db, {
      ...audit,
      institutionId: user?.institutionId ?? null,
      action: 'auth.password_reset_failed',
      targetType: 'user',
      targetId: user?.id ?? null,
      after: { reason: !link ? 'link_invalid' : 'inactive' },
    });
    throw resetLinkRefused();
  }
  assertAcceptablePassword(body.password, user);
  const passwordHash = await hashPassword(body.password);
  return db.transaction().execute(async (tx) => {
    if ((await usePasswordResetToken(tx, tokenHash)) !== user.id) throw resetLinkRefused();
    await updateUser(tx, user.id, { passwordHash });
    const sessionsEnded = await deleteSessionsOfUser(tx, user.id);
    const tokensRevoked = await revokeApiTokensOfUser(tx, user.id);
    const linksSpent = await spendPasswordResetTokensOfUser(tx, user.id);
    const throttlesCleared = await clearLoginThrottleOfEmail(tx, emailThrottleHash(user.email));
    await appendAudit(tx, {
      ...audit,
      actorUserId: user.id,
      actorLabel: `${user.name} <${user.email}> (tautan e-mail / e-mail link)`,
      institutionId: user.institutionId,
      action: 'user.password_reset',
      targetType: 'user',
      targetId: user.id,
      after: { sessionsEnded, tokensRevoked, otherLinksSpent: linksSpent, throttlesCleared },
    });
    return { sessionsEnded, tokensRevoked };
  });
}
