import { z } from 'zod';
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
});
export type EmailMessage = z.infer<typeof ZEmailMessage>;
/** An e-mail as callers write it, before the defaults (`locale`, `secret`) are filled in. */
export type EmailMessageInput = z.input<typeof ZEmailMessage>;
