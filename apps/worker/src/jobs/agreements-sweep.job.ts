import {
  agreementExpiringMessage,
  agreementRenewalDueMessage,
  daysBetween,
  dueReminderThreshold,
  Role,
  todayInJakarta,
  AGREEMENT_REMINDER_DAYS,
} from '@betang/core';
import { appendAudit, expireAgreementsPastTerm, listAgreementsEndingBy, notify, userIdsWithRole, type Db } from '@betang/db';
import type { JobHandler } from '@betang/queue';
import type { Logger } from 'pino';
import type { WorkerDeps } from '../deps';

const MAX_THRESHOLD = Math.max(...AGREEMENT_REMINDER_DAYS);

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function reminderText(number: string, institutionName: string, termEnd: string, daysLeft: number) {
  return {
    subject: {
      id: `Perjanjian ${number} berakhir dalam ${daysLeft} hari`,
      en: `Agreement ${number} ends in ${daysLeft} days`,
    },
    text: {
      id:
        `Perjanjian Pemanfaatan Server Nomor ${number} untuk ${institutionName} berakhir pada ${termEnd} (${daysLeft} hari lagi). ` +
        'Setelah tanggal itu permintaan VPS baru tidak dapat diajukan, dan VPS yang ada masuk masa tenggang lalu dimatikan. Untuk memperpanjang, minta operator pusat data menyiapkan perpanjangan dari halaman perjanjian, lalu tandatangani dari tautan yang akan Anda terima.',
      en:
        `Server-utilization agreement ${number} for ${institutionName} ends on ${termEnd} (${daysLeft} days from now). ` +
        'After that date no new VPS requests can be submitted, and the existing VPSs enter a grace period and are then stopped. To renew, ask the data-center operators to draft the renewal from the agreement page, then sign it from the link you will receive.',
    },
  };
}

/**
 * One sweep over agreements at `now` (WIB dates): expires every in_force agreement whose term
 * ended before today (audited, one transaction), then writes the due 60/30/7-day reminder for
 * each agreement in force to both heads through the notification service (in-app, e-mail per preference).
 *
 * Idempotent: the expiry only matches in_force rows past their term, so a second run finds
 * none; a reminder's reason `agreement:<id>:expiring:<days>` makes the notification service ignore
 * a repeat, and only the tightest threshold reached is written, so a late start sends one
 * reminder rather than three. A crash between the two steps loses nothing: the next run redoes
 * whatever was not committed.
 */
export async function sweepAgreements(db: Db, logger: Logger, now: Date = new Date()): Promise<{ expired: number; reminders: number }> {
  const today = todayInJakarta(now);
  const expired = await db.transaction().execute(async (tx) => {
    const rows = await expireAgreementsPastTerm(tx, today);
    for (const row of rows) {
      await appendAudit(tx, {
        actorUserId: null,
        actorLabel: 'system: agreements.sweep',
        institutionId: row.institutionId,
        action: 'agreement.expired',
        targetType: 'agreement',
        targetId: row.id,
        before: { status: 'in_force' },
        after: { status: 'expired', termEnd: row.termEnd },
      });
    }
    return rows.length;
  });

  let reminders = 0;
  for (const agreement of await listAgreementsEndingBy(db, today, addDays(today, MAX_THRESHOLD))) {
    const daysLeft = daysBetween(today, agreement.termEnd);
    const threshold = dueReminderThreshold(daysLeft);
    if (threshold === null) continue;
    const recipients = [
      ...(await userIdsWithRole(db, Role.InstitutionHead, agreement.institutionId)),
      ...(await userIdsWithRole(db, Role.DcHead)),
    ];
    if (recipients.length === 0) {
      logger.warn({ agreementId: agreement.id }, 'tidak ada kepala aktif untuk pengingat / no active head to remind');
      continue;
    }
    const text = reminderText(agreement.number, agreement.institutionName, agreement.termEnd, daysLeft);
    const base = agreementExpiringMessage(agreement, threshold);
    const result = await notify(db, { ...base, title: text.subject, body: text.text, recipients });
    if (result.notified > 0) reminders++;
    // the operators get the renewal to draft, with the link to the agreement page's renewal action
    await notify(db, { ...agreementRenewalDueMessage(agreement, threshold), recipients: await userIdsWithRole(db, Role.Operator) });
  }
  return { expired, reminders };
}

/** `agreements.sweep`: expiry and reminders (see sweepAgreements for why running it twice is safe). */
export function agreementsSweepJob(deps: WorkerDeps): JobHandler<'agreements.sweep'> {
  return async () => {
    const result = await sweepAgreements(deps.db, deps.logger);
    if (result.expired + result.reminders > 0) deps.logger.info(result, 'perjanjian disapu / agreements swept');
    return result;
  };
}
