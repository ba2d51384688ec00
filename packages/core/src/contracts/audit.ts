import { z } from 'zod';
import { zText } from './common';

/** `GET /audit-log` query: filters, keyset paging by id (newest first). */
export const ZAuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional(),
  institutionId: z.uuid().optional(),
  action: z
    .string()
    .regex(/^[a-z_.]{3,64}$/)
    .optional(),
  targetType: z
    .string()
    .regex(/^[a-z_]{2,32}$/)
    .optional(),
  targetId: zText({ max: 100 }).optional(),
});

/** One audit entry: who did what to which target, when, with before/after. */
export const ZAuditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actorUserId: z.string().nullable(),
  actorLabel: z.string(),
  institutionId: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AuditEntryDto = z.infer<typeof ZAuditEntry>;
