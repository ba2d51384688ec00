import type { BackupClassPolicy, BackupPolicy } from '../contracts/backups';
import type { DATA_CLASSIFICATIONS } from '../contracts/applications';

/** A service class: the data classification of the VM's application. */
export type BackupClass = (typeof DATA_CLASSIFICATIONS)[number];

const WIB_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The window's length in minutes (an end before the start crosses midnight). */
export function windowMinutes(p: Pick<BackupClassPolicy, 'windowStart' | 'windowEnd'>): number {
  const d = minutesOf(p.windowEnd) - minutesOf(p.windowStart);
  return d > 0 ? d : d + 24 * 60;
}

/** One day's backup window: the WIB date it starts on and its bounds. */
export type BackupWindow = { backupDate: string; start: Date; end: Date };

/** The window that starts on WIB date `backupDate` (YYYY-MM-DD). */
export function windowOn(p: Pick<BackupClassPolicy, 'windowStart' | 'windowEnd'>, backupDate: string): BackupWindow {
  const start = new Date(Date.parse(`${backupDate}T00:00:00Z`) - WIB_MS + minutesOf(p.windowStart) * 60_000);
  return { backupDate, start, end: new Date(start.getTime() + windowMinutes(p) * 60_000) };
}

/** The window `at` falls in, if any (today's, or yesterday's when it crosses midnight). */
export function openWindow(p: BackupClassPolicy, at: Date): BackupWindow | undefined {
  const today = new Date(at.getTime() + WIB_MS).toISOString().slice(0, 10);
  const yesterday = new Date(at.getTime() + WIB_MS - DAY_MS).toISOString().slice(0, 10);
  for (const day of [today, yesterday]) {
    const w = windowOn(p, day);
    if (at >= w.start && at < w.end) return w;
  }
  return undefined;
}

/** FNV-1a: a stable spread of VMs over a window, the same on every worker. */
export function spreadHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * When the VM's backup of that window is due: a stable point in the window's first half, so VMs
 * spread over the night and a busy node still has the second half to catch up.
 */
export function dueAt(w: BackupWindow, vmKey: string): Date {
  const half = Math.max(1, Math.floor((w.end.getTime() - w.start.getTime()) / 2 / 60_000));
  return new Date(w.start.getTime() + (spreadHash(`${vmKey}:${w.backupDate}`) % half) * 60_000);
}

/** `01.00` — the way Indonesian documents print a clock time. */
function clockId(clock: string): string {
  return clock.replace(':', '.');
}

/** What an agreement states about the backups of one class: printed from the policy, never typed in. */
export type AgreementBackupClause = {
  classification: BackupClass;
  /** `setiap hari antara pukul 01.00 dan 05.00 WIB` */
  schedule: string;
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
};

/**
 * The backup clauses of an agreement covering applications of `classes`, from the same policy
 * the scheduler runs on (one per class present, in the order strategis, tinggi, rendah).
 */
export function agreementBackupClauses(policy: BackupPolicy, classes: readonly BackupClass[]): AgreementBackupClause[] {
  const order: BackupClass[] = ['strategis', 'tinggi', 'rendah'];
  return order
    .filter((c) => classes.includes(c))
    .map((c) => {
      const p = policy.classes[c];
      return {
        classification: c,
        schedule: `setiap hari antara pukul ${clockId(p.windowStart)} dan ${clockId(p.windowEnd)} WIB`,
        keepDaily: p.keepDaily,
        keepWeekly: p.keepWeekly,
        keepMonthly: p.keepMonthly,
      };
    });
}
