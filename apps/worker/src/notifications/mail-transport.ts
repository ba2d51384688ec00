import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

/** A rendered e-mail ready to hand to a transport. */
export type OutgoingMail = { from: string; to: string[]; subject: string; text: string; messageId: string };

/** Sends one e-mail or throws with the reason (the caller retries through the outbox). */
export type MailTransport = { kind: 'smtp' | 'directory' | 'log'; send(mail: OutgoingMail): Promise<void>; close(): void };

/**
 * The transport the configuration selects: SMTP when SMTP_URL is set (nodemailer, STARTTLS/TLS as
 * the URL says), otherwise .eml files in MAIL_DIR, otherwise nothing but a log line — so the
 * embedded demo never needs a mail server and never loses the messages it would send.
 */
export function createMailTransport(config: { SMTP_URL?: string; MAIL_DIR?: string }, log: (mail: OutgoingMail) => void): MailTransport {
  if (config.SMTP_URL) {
    const url = new URL(config.SMTP_URL);
    const transporter = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
    });
    return {
      kind: 'smtp',
      async send(mail) {
        await transporter.sendMail(mail);
      },
      close: () => transporter.close(),
    };
  }
  if (config.MAIL_DIR) {
    const dir = config.MAIL_DIR;
    mkdirSync(dir, { recursive: true });
    const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    return {
      kind: 'directory',
      async send(mail) {
        const info = await transporter.sendMail(mail);
        const file = path.join(
          dir,
          `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.messageId.replace(/[^A-Za-z0-9_-]/g, '')}.eml`,
        );
        writeFileSync(file, info.message as Buffer);
      },
      close: () => transporter.close(),
    };
  }
  return { kind: 'log', send: async (mail) => log(mail), close: () => undefined };
}
