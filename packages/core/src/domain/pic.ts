import { Role } from '../roles';

/**
 * Why a VM needs a new responsible person (PIC, penanggung jawab):
 * - `none`: nobody is named;
 * - `inactive`: the named user's account is deactivated;
 * - `moved`: the named user now belongs to another institution (or to the data center);
 * - `role_lost`: the named user no longer holds an institution role.
 * A VM whose PIC has none of these problems needs nothing.
 */
export const PIC_PROBLEMS = ['none', 'inactive', 'moved', 'role_lost'] as const;
export type PicProblem = (typeof PIC_PROBLEMS)[number];

/** The roles that let a user be the PIC of their institution's VMs. */
export const PIC_ROLES: readonly Role[] = [Role.InstitutionHead, Role.InstitutionStaff];

/** What a PIC check needs to know of the named user. */
export type PicCandidate = { isActive: boolean; institutionId: string | null; roles: readonly string[] };

/**
 * The problem with `pic` as the PIC of a VM of `vmInstitutionId`, or null when they qualify.
 * Guarantees: a user qualifies only when active, of the VM's institution, and holding an
 * institution role; the first failing rule is reported, in the order of PIC_PROBLEMS.
 */
export function picProblem(pic: PicCandidate | null, vmInstitutionId: string): PicProblem | null {
  if (!pic) return 'none';
  if (!pic.isActive) return 'inactive';
  if (pic.institutionId !== vmInstitutionId) return 'moved';
  if (!pic.roles.some((role) => (PIC_ROLES as readonly string[]).includes(role))) return 'role_lost';
  return null;
}

const DAY_MS = 86_400_000;

/**
 * The Monday (UTC date `YYYY-MM-DD`) of the week holding `now` in WIB (UTC+7): the key of a
 * weekly reminder, so every run within one week names the same week.
 */
export function picReminderWeek(now: Date): string {
  const wib = new Date(now.getTime() + 7 * 3_600_000);
  const sinceMonday = (wib.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(wib.getUTCFullYear(), wib.getUTCMonth(), wib.getUTCDate()) - sinceMonday * DAY_MS).toISOString().slice(0, 10);
}
