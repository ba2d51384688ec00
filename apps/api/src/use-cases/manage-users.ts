import { AppError, DATA_CENTER_ROLES, ErrorCode, INSTITUTION_ROLES, Role, hasAnyRole, type Actor } from '@betang/core';

/**
 * Which roles the actor may grant to a user of `institutionId` (null = data-center staff).
 * Guarantees: institution users only ever hold institution roles and data-center staff only
 * data-center roles; institution heads grant institution roles within their own institution.
 */
export function assertMayGrantRoles(actor: Actor, institutionId: string | null, roles: readonly Role[]): void {
  const allowedForTarget = institutionId === null ? DATA_CENTER_ROLES : INSTITUTION_ROLES;
  const wrong = roles.filter((role) => !allowedForTarget.includes(role));
  if (wrong.length > 0) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      {
        id:
          institutionId === null
            ? 'Staf pusat data hanya dapat memegang peran pusat data.'
            : 'Pengguna perangkat daerah hanya dapat memegang peran perangkat daerah.',
        en:
          institutionId === null
            ? 'Data-center staff can only hold data-center roles.'
            : 'Institution users can only hold institution roles.',
      },
      wrong.map((role) => ({ path: 'body.roles', message: role, code: 'role_not_allowed' })),
    );
  }
  if (hasAnyRole(actor, [Role.Admin])) return;
  if (hasAnyRole(actor, [Role.InstitutionHead]) && institutionId !== null && actor.institutionId === institutionId) return;
  throw new AppError(ErrorCode.Forbidden);
}

/**
 * May the actor manage the users of `institutionId`? Admins everywhere; institution heads in their
 * own institution. Another institution answers 404 (tenancy), a lesser role of the same one 403.
 */
export function assertMayManageUsersOf(actor: Actor, institutionId: string | null): void {
  if (hasAnyRole(actor, [Role.Admin])) return;
  if (institutionId === null || actor.institutionId !== institutionId) throw new AppError(ErrorCode.NotFound);
  if (!hasAnyRole(actor, [Role.InstitutionHead])) throw new AppError(ErrorCode.Forbidden);
}
