import type { RestoreTestPolicy } from '../contracts/restore-tests';
import { dueAt, spreadHash, windowOn } from './backup-schedule';

const WIB_MS = 7 * 3_600_000;

/** The WIB month (`YYYY-MM`) that `at` falls in: one test restore per VM per such period. */
export function restorePeriodOf(at: Date): string {
  return new Date(at.getTime() + WIB_MS).toISOString().slice(0, 7);
}

/** The month before `period` (`2026-01` → `2025-12`). */
export function previousPeriod(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/**
 * When the VM's test restore of `period` is due: a stable day among the month's first
 * `spreadDays` and a stable minute in that night's window, so the month's tests spread over the
 * nights instead of piling onto the first. A test not started by then stays due until the month ends.
 */
export function restoreTestDueAt(policy: RestoreTestPolicy, period: string, vmKey: string): Date {
  const day = 1 + (spreadHash(`${vmKey}:${period}`) % policy.spreadDays);
  const date = `${period}-${String(day).padStart(2, '0')}`;
  return dueAt(windowOn(policy, date), vmKey);
}
