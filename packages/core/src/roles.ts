/** Roles a user can hold. A user may hold several (e.g. operator and auditor). */
export enum Role {
  /** Platform administrator of the data-center office. */
  Admin = 'admin',
  /** Data-center staff: review requests, watch provisioning, act on failures. */
  Operator = 'operator',
  /** Head of the data-center office (Kepala Diskominfosantik): countersigns agreements, high approvals. */
  DcHead = 'dc_head',
  /** Head of an institution: signs the agreement, manages the institution's users. */
  InstitutionHead = 'institution_head',
  /** Staff of an institution: inventory and VPS requests. */
  InstitutionStaff = 'institution_staff',
  /** Read-only auditor (inspectorate). */
  Auditor = 'auditor',
}

export const ALL_ROLES: readonly Role[] = Object.values(Role);

/** Roles that belong to the data-center office and therefore see every institution. */
export const DATA_CENTER_ROLES: readonly Role[] = [Role.Admin, Role.Operator, Role.DcHead, Role.Auditor];

/** Roles that belong to one institution and see only its resources. */
export const INSTITUTION_ROLES: readonly Role[] = [Role.InstitutionHead, Role.InstitutionStaff];

/** The acting principal as the domain sees it (no HTTP, no session details). */
export type Actor = {
  userId: string;
  institutionId: string | null;
  roles: readonly Role[];
};

/** True when the actor holds at least one of the roles. */
export function hasAnyRole(actor: Actor, roles: readonly Role[]): boolean {
  return actor.roles.some((role) => roles.includes(role));
}

/**
 * True when the actor may see resources of every institution (data-center roles).
 * Institution roles see only their own institution's resources.
 */
export function seesAllInstitutions(actor: Actor): boolean {
  return hasAnyRole(actor, DATA_CENTER_ROLES);
}

/**
 * Tenancy rule: may the actor see a resource owned by `institutionId`?
 * Guarantees: institution users never see another institution's resource.
 */
export function canSeeInstitution(actor: Actor, institutionId: string | null): boolean {
  if (seesAllInstitutions(actor)) return true;
  return institutionId !== null && actor.institutionId === institutionId;
}
