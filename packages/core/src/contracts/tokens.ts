import { z } from 'zod';
import { ZDisplayName } from './common';

/** `POST /me/tokens` body. */
export const ZCreateTokenBody = z.strictObject({
  name: ZDisplayName.pipe(z.string().max(100)),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateTokenBody = z.infer<typeof ZCreateTokenBody>;

/** A personal API token as listed (the secret is never shown again). */
export const ZApiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

/** `POST /me/tokens` response: the token row plus the secret, shown once. */
export const ZCreatedToken = ZApiToken.extend({ secret: z.string() });
