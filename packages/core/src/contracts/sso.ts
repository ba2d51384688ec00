import { z } from 'zod';
import { ZDisplayName, ZEmail } from './common';
import { ZRoleSet } from './users';

/** `GET /auth/oidc`: whether single sign-on is configured (the sign-in page shows its button then). */
export const ZOidcStatus = z.object({ enabled: z.boolean() });

/** A person the identity provider vouched for who waits for an admin (no Betang user yet). */
export const ZOidcIdentity = z.object({
  id: z.uuid(),
  issuer: z.string(),
  subject: z.string(),
  email: z.string().nullable(),
  emailVerified: z.boolean(),
  name: z.string().nullable(),
  nip: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});
export type OidcIdentityDto = z.infer<typeof ZOidcIdentity>;

/**
 * `POST /sso/identities/{id}/assign` body: either a new Betang user for the person (institution —
 * null for data-center staff — and roles; e-mail and name default to what the provider said), or
 * an existing active user to link them to.
 */
export const ZAssignOidcIdentityBody = z.union([
  z.strictObject({
    institutionId: z.uuid().nullable(),
    roles: ZRoleSet,
    email: ZEmail.optional(),
    name: ZDisplayName.optional(),
  }),
  z.strictObject({ userId: z.uuid() }),
]);
export type AssignOidcIdentityBody = z.infer<typeof ZAssignOidcIdentityBody>;

/** `POST /auth/oidc/reauth` answer: the provider's login page to send the browser to. */
export const ZOidcReauthStart = z.object({ url: z.string() });
export type OidcReauthStartDto = z.infer<typeof ZOidcReauthStart>;

/** `POST /auth/oidc/totp` body: the code of the authenticator the user enrolled in Betang. */
export const ZSsoTotpBody = z.strictObject({ code: z.string().regex(/^\d{6}$/) });
export type SsoTotpBody = z.infer<typeof ZSsoTotpBody>;
