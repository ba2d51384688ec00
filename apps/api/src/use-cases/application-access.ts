import {
  AppError,
  ErrorCode,
  Role,
  canSeeInstitution,
  hasAnyRole,
  seesAllInstitutions,
  type Actor,
  type ApplicationDto,
} from '@betang/core';
import type { ApplicationRow } from '@betang/db';

/** Roles that may change an institution's inventory (admin for any, the others for their own). */
export const APPLICATION_WRITER_ROLES: readonly Role[] = [Role.Admin, Role.InstitutionStaff, Role.InstitutionHead];

/**
 * Throws unless the actor may change applications of `institutionId`: admins always; institution
 * staff/heads only for their own institution. Another institution answers 404 (tenancy rule),
 * a data-center role without write rights 403.
 */
export function assertMayWriteApplications(actor: Actor, institutionId: string): void {
  if (!canSeeInstitution(actor, institutionId)) throw new AppError(ErrorCode.NotFound);
  if (hasAnyRole(actor, [Role.Admin])) return;
  if (hasAnyRole(actor, [Role.InstitutionStaff, Role.InstitutionHead]) && actor.institutionId === institutionId) return;
  throw new AppError(ErrorCode.Forbidden);
}

/**
 * The institution whose rows a list/export shows: data-center roles see all or filter by
 * `requested`; institution users always their own (asking for another one answers 404).
 */
export function listScope(actor: Actor, requested: string | undefined): string | undefined {
  if (seesAllInstitutions(actor)) return requested;
  if (!actor.institutionId || (requested && requested !== actor.institutionId)) throw new AppError(ErrorCode.NotFound);
  return actor.institutionId;
}

/** An application as the API shows it. */
export function toApplicationDto(row: ApplicationRow): ApplicationDto {
  return {
    ...row,
    kind: row.kind as ApplicationDto['kind'],
    developerType: row.developerType as ApplicationDto['developerType'],
    userType: row.userType as ApplicationDto['userType'],
    dataClassification: row.dataClassification as ApplicationDto['dataClassification'],
    status: row.status as ApplicationDto['status'],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
