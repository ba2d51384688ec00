import type { AgreementStatus } from '../domain/agreement-status';

/** Resource ceiling of a server-utilization agreement (what the institution may hold in total). */
export type AgreementCeiling = { cores: number; memoryMiB: number; diskGiB: number; vmCount: number; ipCount: number };

/** What the gate needs to know about an agreement; `termStart`/`termEnd` are inclusive `YYYY-MM-DD` dates (WIB). */
export type AgreementForGate = { status: AgreementStatus; termStart: string; termEnd: string; ceiling: AgreementCeiling };

/**
 * Usage of the institution counted against the ceiling. `ipCount` may be omitted when the caller
 * does not track addresses; it is then not checked.
 */
export type CeilingUsage = { cores: number; memoryMiB: number; diskGiB: number; vmCount: number; ipCount?: number };

/**
 * A request checked by the gate: `requested` is what the new request adds (kept for messages and
 * audit), `usageAfter` the institution's total usage including it, `today` the date in WIB
 * (`todayInJakarta()` by default).
 */
type GateRequest = { requested: Partial<CeilingUsage>; usageAfter: CeilingUsage; today?: string };

/** A ceiling dimension that the usage after the request would exceed. */
type CeilingShortfall = { dimension: keyof AgreementCeiling; ceiling: number; usageAfter: number };

const DIMENSIONS: (keyof AgreementCeiling)[] = ['cores', 'memoryMiB', 'diskGiB', 'vmCount', 'ipCount'];
const WIB_OFFSET_MS = 7 * 3_600_000;

/** Today's date (`YYYY-MM-DD`) in the province's zone, Asia/Jakarta (UTC+7, no daylight saving). */
export function todayInJakarta(now: Date = new Date()): string {
  return new Date(now.getTime() + WIB_OFFSET_MS).toISOString().slice(0, 10);
}

/** Whole days from `today` to `until` (both `YYYY-MM-DD`); negative when `until` has passed. */
export function daysBetween(today: string, until: string): number {
  return Math.round((Date.parse(`${until}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/** Every ceiling dimension the usage after the request would exceed (empty = covered). Pure. */
export function ceilingShortfalls(ceiling: AgreementCeiling, usageAfter: CeilingUsage): CeilingShortfall[] {
  return DIMENSIONS.filter((d) => usageAfter[d] !== undefined && usageAfter[d] > ceiling[d]).map((d) => ({
    dimension: d,
    ceiling: ceiling[d],
    usageAfter: usageAfter[d] ?? 0,
  }));
}

/**
 * The gate for VPS requests: true only when `agreement` is `in_force`, `today` (WIB) lies within
 * its inclusive term, and its ceiling covers the institution's usage after the request in every
 * dimension. Pure: the caller loads the agreement (`findAgreementInForce` in @betang/db) and the
 * usage; `undefined`/`null` agreement → false. Use `ceilingShortfalls` to say what is missing.
 *
 * @example agreementCovers(agreement, { requested: { cores: 2 }, usageAfter: { cores: 6, memoryMiB: 8192, diskGiB: 120, vmCount: 3 } })
 */
export function agreementCovers(agreement: AgreementForGate | null | undefined, request: GateRequest): boolean {
  if (!agreement || agreement.status !== 'in_force') return false;
  const today = request.today ?? todayInJakarta();
  if (today < agreement.termStart || today > agreement.termEnd) return false;
  return ceilingShortfalls(agreement.ceiling, request.usageAfter).length === 0;
}

/** The default term of an agreement: the fiscal year, 1 January to 31 December inclusive. */
export function fiscalYearTerm(fiscalYear: number): { termStart: string; termEnd: string } {
  return { termStart: `${fiscalYear}-01-01`, termEnd: `${fiscalYear}-12-31` };
}

/** Days before the end of the term at which both heads are reminded. */
export const AGREEMENT_REMINDER_DAYS = [60, 30, 7] as const;

/**
 * The reminder due for an agreement with `daysLeft` days to its term end: the tightest threshold
 * already reached (so a late start sends one reminder, not three), or null. Because it only
 * shrinks as days pass, de-duplicating on (agreement, threshold) sends each at most once.
 */
export function dueReminderThreshold(daysLeft: number): number | null {
  if (daysLeft < 0) return null;
  const reached = AGREEMENT_REMINDER_DAYS.filter((d) => daysLeft <= d);
  return reached.length > 0 ? Math.min(...reached) : null;
}

/** Which role must sign next in a status (institution head, then data-center head), or null. */
export function nextSignerRole(status: AgreementStatus): 'institution_head' | 'dc_head' | null {
  if (status === 'awaiting_institution_head') return 'institution_head';
  if (status === 'awaiting_dc_head') return 'dc_head';
  return null;
}
