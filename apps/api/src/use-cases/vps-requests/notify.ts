import type { EmailMessageInput } from '@betang/core';
import { enqueueEmail, type Executor } from '@betang/db';

/**
 * Queues an e-mail through the outbox in the caller's transaction: it is sent only if the change
 * commits, and the dedup key (the message's `reason`) keeps it from being queued twice.
 */
export async function queueEmail(db: Executor, message: EmailMessageInput): Promise<void> {
  if (message.to.length === 0) return;
  await enqueueEmail(db, message, `email:${message.reason}`);
}
