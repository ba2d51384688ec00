import { z } from 'zod';
import { CONTRACT_MESSAGES, wordedPattern } from './contracts/messages';
import { LOCALES } from './i18n';

const ZText = z.object({ id: z.string().min(1), en: z.string().min(1) });

/**
 * An e-mail as written to the outbox (topic 'email') by any part of Betang and sent by the
 * worker's notification sender. Bilingual: the recipient's `locale` picks the primary language
 * and the other follows below it. Never put secrets in it.
 */
export const ZEmailMessage = z.object({
  to: z.array(z.email()).min(1).max(20),
  locale: z.enum(LOCALES).default('id'),
  subject: ZText,
  text: ZText,
  /** What caused it, for the audit trail and de-duplication (e.g. `vps_request:<id>:ready`). */
  reason: z.string().max(200),
  /**
   * The text carries a single-use secret (a password-reset link): once delivered, the sender
   * blanks the stored text so the link lives only in the recipient's mailbox.
   */
  secret: z.boolean().default(false),
  /** A path inside Betang (e.g. `/agreements/…`); the sender prefixes the public address. */
  link: z
    .string()
    .max(500)
    .regex(/^\/(?!\/)[\x21-\x7e]*$/)
    .optional(),
});
export type EmailMessage = z.infer<typeof ZEmailMessage>;
/** An e-mail as callers write it, before the defaults (`locale`, `secret`) are filled in. */
export type EmailMessageInput = z.input<typeof ZEmailMessage>;

/**
 * Every kind of notification Betang sends. Users choose per kind whether it is also e-mailed;
 * webhook endpoints choose which kinds they receive.
 */
export const NOTIFICATION_KINDS = [
  'agreement.sign_turn',
  'agreement.signed',
  'agreement.in_force',
  'agreement.expiring',
  'request.submitted',
  'request.approved',
  'request.rejected',
  'request.approval_overdue',
  'vps.ready',
  'vps.failed',
  'vm.pic_needed',
  'lease.notice',
  'backup.restore_test_failed',
  'backup.restore_test_report',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const ZNotificationKind = z.enum(NOTIFICATION_KINDS);

/** A link inside Betang: an absolute path, never a full URL (nothing can send a user elsewhere). */
export const ZInAppLink = z
  .string()
  .max(500)
  .regex(wordedPattern(/^\/(?!\/)[\x21-\x7e]*$/, CONTRACT_MESSAGES.inAppLink));

/**
 * What the notification service is asked to deliver: one cause (`reason`, the de-duplication key)
 * to several recipients. Bilingual title and body; `link` opens the thing to act on.
 * `webhook` is the machine-readable event sent to webhook endpoints (never secrets).
 */
export const ZNotificationDraft = z.object({
  kind: ZNotificationKind,
  reason: z.string().min(1).max(200),
  recipients: z.array(z.uuid()).max(200),
  /** Which institution it concerns: institution webhook endpoints receive only their own. */
  institutionId: z.uuid().nullable(),
  title: ZText,
  body: ZText,
  link: ZInAppLink.nullable(),
  webhook: z.record(z.string(), z.unknown()).default({}),
  /**
   * Which webhook endpoints receive it: every matching one, only global ones (operators' details
   * such as failure codes stay in the office's channels), only the institution's, or none.
   */
  webhookAudience: z.enum(['all', 'global', 'institution', 'none']).default('all'),
});
export type NotificationDraft = z.input<typeof ZNotificationDraft>;

/** A notification as the centre lists it. */
export const ZNotificationDto = z.object({
  id: z.number().int(),
  kind: ZNotificationKind,
  title: ZText,
  body: ZText,
  link: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type NotificationDto = z.infer<typeof ZNotificationDto>;
