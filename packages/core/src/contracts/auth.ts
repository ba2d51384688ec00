import { z } from 'zod';
import { LOCALES } from '../i18n';
import { ALL_ROLES, type Role } from '../roles';
import { ZEmail } from './common';

/** `POST /auth/login` body. */
export const ZLoginBody = z.strictObject({
  email: ZEmail,
  password: z.string().min(1).max(1024),
  totp: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
});
export type LoginBody = z.infer<typeof ZLoginBody>;

const ZRole = z.enum(ALL_ROLES as [Role, ...Role[]]);

/** A user as the API shows it (never the password hash or TOTP secret). */
export const ZUser = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  nip: z.string().nullable(),
  position: z.string().nullable(),
  phone: z.string().nullable(),
  institutionId: z.uuid().nullable(),
  roles: z.array(ZRole),
  locale: z.enum(LOCALES),
  isActive: z.boolean(),
  totpEnabled: z.boolean(),
  createdAt: z.string(),
});
export type UserDto = z.infer<typeof ZUser>;

/** `POST /auth/login` response (also sets the session cookie). */
export const ZLoginResponse = z.object({
  user: ZUser,
  csrfToken: z.string(),
  /** True when the user's role requires TOTP and they have not enrolled: the session is restricted to enrolment. */
  totpEnrolmentRequired: z.boolean().default(false),
});

/** `GET /me` response. */
export const ZMeResponse = z.object({
  user: ZUser,
  roles: z.array(ZRole),
  institution: z.object({ id: z.uuid(), code: z.string(), name: z.string() }).nullable(),
  csrfToken: z.string().nullable(),
  /** True when the user's role requires TOTP and they have not enrolled: every other route answers 403 TOTP_ENROLMENT_REQUIRED. */
  totpEnrolmentRequired: z.boolean().default(false),
  /**
   * How this user proves it is them again before a sensitive action (signing, TOTP, password):
   * `password` — their Betang password is accepted (false for roles that must use SSO);
   * `sso` — they can sign in again at the identity provider (POST /auth/oidc/reauth);
   * `ssoUntil` — until when this session's last re-authentication there stands in for the
   * password (null: none running); `ssoMultiFactor` — it was multi-factor (no TOTP code asked).
   */
  reauth: z
    .object({
      password: z.boolean(),
      sso: z.boolean(),
      ssoUntil: z.string().nullable(),
      ssoMultiFactor: z.boolean(),
    })
    .optional(),
});
export type MeResponse = z.infer<typeof ZMeResponse>;

export { ZRole };
