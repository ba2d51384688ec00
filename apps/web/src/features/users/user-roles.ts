import { DATA_CENTER_ROLES, INSTITUTION_ROLES, type Role } from '@betang/core';
import type { MessageKey } from '../../i18n/i18n';

/** The roles a user of this scope may hold (the API refuses the others). */
export function rolesForScope(institutionId: string | null): readonly Role[] {
  return institutionId === null ? DATA_CENTER_ROLES : INSTITUTION_ROLES;
}

/** Catalogue key of a role's name. */
export function roleKey(role: Role): MessageKey {
  return `role.${role}`;
}
