import { z } from 'zod';
import { LOCALES } from '../i18n';
import { zText } from './common';
import { DAY_RANGE_ISSUE, FIND_DAY_RANGE, ZFindText, dayRangeInOrder } from './find';

// The audit log's filters, shared by the page (GET /audit-log) and the export.
const AUDIT_FILTERS = {
  institutionId: z.uuid().optional(),
  /** The acting user's id. */
  actorUserId: z.uuid().optional(),
  /** Free text within the actor's label (name or e-mail as recorded). */
  actor: ZFindText.optional(),
  action: z
    .string()
    .regex(/^[a-z_.]{3,64}$/)
    .optional(),
  targetType: z
    .string()
    .regex(/^[a-z_]{2,32}$/)
    .optional(),
  targetId: zText({ max: 100 }).optional(),
  ...FIND_DAY_RANGE,
};

/** `GET /audit-log` query: filters (actor, institution, action, target, WIB day range), keyset paging by id (newest first). */
export const ZAuditQuery = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(100).optional(),
    ...AUDIT_FILTERS,
  })
  .refine(dayRangeInOrder, DAY_RANGE_ISSUE);
export type AuditQuery = z.infer<typeof ZAuditQuery>;

/**
 * `GET /audit-log/export.csv` query: the filters of GET /audit-log, every matching entry (no
 * paging); `lang` names the file's language when a plain download link cannot set Accept-Language.
 */
export const ZAuditExportQuery = z
  .strictObject({ ...AUDIT_FILTERS, lang: z.enum(LOCALES).optional() })
  .refine(dayRangeInOrder, DAY_RANGE_ISSUE);
export type AuditFilterQuery = z.infer<typeof ZAuditExportQuery>;

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
