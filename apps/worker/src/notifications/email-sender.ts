import { ZEmailMessage, type EmailMessage } from '@betang/core';
import { leaseOutbox, markOutboxFailed, markOutboxProcessed, type Db } from '@betang/db';
import type { Logger } from 'pino';
import type { MailTransport, OutgoingMail } from './mail-transport';

const MAX_ATTEMPTS = 10;
/** What stays in the outbox of a message whose text held a single-use secret, once it is sent. */
const SENT_SECRET_TEXT = { id: '[isi dihapus setelah terkirim]', en: '[content removed once sent]' };
/** How long a leased e-mail stays invisible to other senders while this one delivers it. */
const LEASE_MS = 120_000;

/**
 * Renders a bilingual message: the recipient's language first, the other below a separator,
 * so nobody needs to switch anything to read it.
 */
function renderEmail(message: EmailMessage, from: string, outboxId: number, publicUrl: string | undefined): OutgoingMail {
  const link = message.link && publicUrl ? `${publicUrl.replace(/\/+$/, '')}${message.link}` : undefined;
  const text = link ? { id: `${message.text.id}\n\nBuka: ${link}`, en: `${message.text.en}\n\nOpen: ${link}` } : message.text;
  const [first, second] = message.locale === 'en' ? (['en', 'id'] as const) : (['id', 'en'] as const);
  const footer = {
    id: 'Pesan ini dikirim otomatis oleh Betang, platform VPS Pusat Data Pemprov Kalimantan Tengah. Jangan membalas e-mail ini.',
    en: 'This message was sent automatically by Betang, the VPS platform of the Central Kalimantan provincial data center. Do not reply to this e-mail.',
  };
  return {
    from,
    to: message.to,
    subject: message.subject[first],
    text: `${text[first]}\n\n${footer[first]}\n\n---- ${second === 'en' ? 'English' : 'Bahasa Indonesia'} ----\n\n${text[second]}\n\n${footer[second]}\n`,
    messageId: `<outbox-${outboxId}@betang>`,
  };
}

/**
 * Sends due e-mails from the outbox. Rows are leased (never two senders on one row, no
 * transaction held open during SMTP), sent, and marked; a failure schedules a retry with
 * exponential backoff (up to 10 attempts, after which the row is parked with its last error for
 * operators to see). A crash after sending but before marking can send one message twice —
 * e-mail has no exactly-once; the Message-ID derived from the outbox id lets mail clients
 * de-duplicate it.
 */
export async function sendEmailsOnce(
  db: Db,
  transport: MailTransport,
  from: string,
  logger: Logger,
  batch = 10,
  publicUrl?: string,
): Promise<number> {
  const rows = await leaseOutbox(db, 'email', batch, LEASE_MS);
  for (const row of rows) {
    const parsed = ZEmailMessage.safeParse(row.payload);
    if (!parsed.success) {
      await markOutboxFailed(db, row.id, `invalid e-mail message: ${parsed.error.message.slice(0, 300)}`, 0, 1);
      continue;
    }
    try {
      await transport.send(renderEmail(parsed.data, from, row.id, publicUrl));
      await markOutboxProcessed(db, row.id, parsed.data.secret ? { ...parsed.data, text: SENT_SECRET_TEXT } : undefined);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      await markOutboxFailed(db, row.id, text, Math.min(30 * 60_000, 5_000 * 2 ** row.attempts), MAX_ATTEMPTS);
      logger.warn(
        { outboxId: row.id, attempt: row.attempts + 1, err: error },
        'e-mail gagal dikirim, dicoba lagi / e-mail failed, will retry',
      );
    }
  }
  return rows.length;
}

/** Runs sendEmailsOnce every `intervalMs` until stopped; a failing round is logged, never fatal. */
export function startEmailSender(
  db: Db,
  transport: MailTransport,
  from: string,
  logger: Logger,
  intervalMs = 1000,
  publicUrl?: string,
): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const tick = async () => {
    if (stopped) return;
    running = sendEmailsOnce(db, transport, from, logger, 10, publicUrl).catch((error: unknown) =>
      logger.warn({ err: error }, 'putaran e-mail gagal / e-mail round failed'),
    );
    await running;
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      transport.close();
    },
  };
}
