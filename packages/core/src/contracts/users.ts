import { z } from 'zod';
import { LOCALES } from '../i18n';
import { ZRole } from './auth';
import { ZDisplayName, ZEmail, ZNip, ZPageQuery, ZPhone, zText } from './common';
import { ZFindText } from './find';
import { CONTRACT_MESSAGES, worded, wordedPattern } from './messages';

/** A password people can choose: long enough to matter, bounded to keep hashing cheap. */
const ZNewPassword = z.string().min(12).max(256);

/** 1–6 roles, each at most once (a repeated role would break the one-row-per-role rule). */
export const ZRoleSet = z
  .array(ZRole)
  .min(1)
  .max(6)
  .refine((roles) => new Set(roles).size === roles.length, worded(CONTRACT_MESSAGES.duplicateRole));

/** `POST /institutions/:id/users` body. */
export const ZCreateUserBody = z.strictObject({
  email: ZEmail,
  name: ZDisplayName,
  password: ZNewPassword,
  roles: ZRoleSet,
  nip: ZNip.optional(),
  position: zText({ max: 200 }).optional(),
  phone: ZPhone.optional(),
  locale: z.enum(LOCALES).default('id'),
});
export type CreateUserBody = z.infer<typeof ZCreateUserBody>;

/** `PATCH /users/:id` body. */
export const ZUpdateUserBody = z.strictObject({
  name: ZDisplayName.optional(),
  roles: ZRoleSet.optional(),
  nip: ZNip.nullable().optional(),
  position: zText({ max: 200 }).nullable().optional(),
  phone: ZPhone.nullable().optional(),
  locale: z.enum(LOCALES).optional(),
  isActive: z.boolean().optional(),
  password: ZNewPassword.optional(),
});
export type UpdateUserBody = z.infer<typeof ZUpdateUserBody>;

/** POST /users/{id}/unlock: how many sign-in throttles were cleared. */
export const ZUnlockResult = z.object({ cleared: z.number().int().min(0) });

/** POST /users/{id}/totp/reset: how many of the user's sessions ended and API tokens were revoked. */
export const ZTotpResetResult = z.object({ sessionsEnded: z.number().int().min(0), tokensRevoked: z.number().int().min(0) });

/**
 * `POST /me/password` body: the current password proves it is the owner, not someone at an
 * unlocked screen; without it the session must have re-authenticated at the identity provider moments ago.
 */
export const ZChangePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(1024).optional(),
  newPassword: ZNewPassword,
});
export type ChangePasswordBody = z.infer<typeof ZChangePasswordBody>;

/** POST /me/password, POST /users/{id}/deactivate: how many of the user's other sessions ended and API tokens were revoked. */
export const ZSessionsEndedResult = z.object({ sessionsEnded: z.number().int().min(0), tokensRevoked: z.number().int().min(0) });

/** `POST /auth/password/forgot` body. */
export const ZForgotPasswordBody = z.strictObject({ email: ZEmail });

/**
 * `POST /auth/password/forgot` answer (202): the same whether or not the e-mail has an account,
 * so it tells nobody which e-mails exist.
 */
export const ZForgotPasswordResponse = z.object({
  message: z.object({ id: z.string(), en: z.string() }),
});

/** A reset link's secret: 32 random bytes, base64url. */
const ZPasswordResetToken = z.string().regex(wordedPattern(/^[A-Za-z0-9_-]{43}$/, CONTRACT_MESSAGES.invalidLink));

/** `POST /auth/password/reset` body: the secret from the e-mailed link and the new password. */
export const ZResetPasswordBody = z.strictObject({
  token: ZPasswordResetToken,
  password: ZNewPassword,
});
export type ResetPasswordBody = z.infer<typeof ZResetPasswordBody>;

/** `GET /users`, `GET /institutions/:id/users` query: paging and `q`, free text within the name or e-mail. */
export const ZUserListQuery = ZPageQuery.extend({ q: ZFindText.optional() });
export type UserListQuery = z.infer<typeof ZUserListQuery>;
