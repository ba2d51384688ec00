import { z } from 'zod';

/** Error body every failing response carries: `{error: {code, message, details?}}`. */
export const ZErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ZErrorBody>;

/** `?limit=&cursor=` paging query. */
export const ZPageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type PageQuery = z.infer<typeof ZPageQuery>;

/** A page of items: `{items, nextCursor}`. */
export function zPage<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** A UUID path parameter. */
export const ZIdParam = z.strictObject({ id: z.uuid() });

/** Indonesian civil-servant number: exactly 18 digits. */
export const ZNip = z.string().regex(/^\d{18}$/, 'NIP harus 18 digit angka / NIP must be 18 digits');

/** A person's or organisation's display name: printable, trimmed, no control characters. */
export const ZDisplayName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}\p{Cf}]+$/u, 'tidak boleh berisi karakter kontrol / must not contain control characters');

/** An e-mail address, stored lower-case. */
export const ZEmail = z.email().max(254).transform((s) => s.toLowerCase());

/** Phone or WhatsApp number: digits with optional leading +, spaces and dashes. */
export const ZPhone = z.string().trim().regex(/^\+?[0-9][0-9 -]{5,20}$/, 'nomor telepon tidak valid / invalid phone number');
