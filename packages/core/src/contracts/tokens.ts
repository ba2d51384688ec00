import { z } from 'zod';
import { ZDisplayName } from './common';
import { CONTRACT_MESSAGES, worded } from './messages';

/**
 * What a personal API token may do. Each route declares the one scope it needs; a token holds
 * one or more. Signing agreements, managing tokens and TOTP are for browser sessions only (they
 * need a person and re-authentication), so no scope grants them.
 */
export const TOKEN_SCOPES = ['read', 'requests:write', 'inventory:write', 'operate', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
const ZTokenScope = z.enum(TOKEN_SCOPES);

/** Token lifetime: required, at most a year, 90 days unless the creator chooses. */
export const TOKEN_MAX_DAYS = 365;
export const TOKEN_DEFAULT_DAYS = 90;

/** `POST /me/tokens` body. Without `scopes` the token is read-only; without `expiresAt` it lives 90 days. */
export const ZCreateTokenBody = z.strictObject({
  name: ZDisplayName.pipe(z.string().max(100)),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  scopes: z
    .array(ZTokenScope)
    .min(1)
    .max(TOKEN_SCOPES.length)
    .refine((s) => new Set(s).size === s.length, worded(CONTRACT_MESSAGES.duplicateScope))
    .optional(),
});
export type CreateTokenBody = z.infer<typeof ZCreateTokenBody>;

/** A personal API token as listed (the secret is never shown again). */
const ZApiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  /** Always set for tokens created since expiry became required; nullable for the contract's history. */
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  scopes: z.array(ZTokenScope),
});

/** `POST /me/tokens` response: the token row plus the secret, shown once. */
export const ZCreatedToken = ZApiToken.extend({ secret: z.string() });

/** GET /me/tokens. */
export const ZApiTokenList = z.object({ items: z.array(ZApiToken) });

/** POST /me/totp/secret: a new secret to enrol (not active until confirmed) and its otpauth:// URL. */
export const ZTotpSecret = z.object({ secret: z.string(), otpauthUrl: z.string() });
