import type { LeasePolicy } from '../contracts/leases';

/** Days before a lease step that its notice goes out (the step's own day has its own notice). */
export const LEASE_NOTICE_DAYS = [7, 1] as const;

/** `date` (YYYY-MM-DD) plus `days` calendar days. */
export function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The day a VM whose agreement's last day was `termEnd` is stopped under `policy`. */
export function leaseStopOn(termEnd: string, policy: LeasePolicy): string {
  return plusDays(termEnd, policy.graceDays);
}

/** The day a VM stopped on `stoppedOn` is destroyed under `policy`. */
export function leaseDestroyOn(stoppedOn: string, policy: LeasePolicy): string {
  return plusDays(stoppedOn, policy.destroyAfterDays);
}

/**
 * The advance notice due on `today` for a step on `stepOn`: the tightest of LEASE_NOTICE_DAYS
 * already reached (7, then 1), or null when none is due yet or the step is today or past. A
 * sweep that missed days sends the tightest one, not every one it missed.
 */
export function dueLeaseNotice(today: string, stepOn: string): number | null {
  const left = Math.round((Date.parse(`${stepOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (left <= 0) return null;
  const reached = LEASE_NOTICE_DAYS.filter((d) => left <= d);
  return reached.length === 0 ? null : Math.min(...reached);
}
