import type { Role } from '@betang/core';

/** True when one of `roles` may not sign in with a password (OIDC_PASSWORD_DISABLED_ROLES). */
export function passwordDisabledFor(roles: readonly Role[], disabled: readonly string[] | undefined): boolean {
  return (disabled ?? []).some((role) => (roles as readonly string[]).includes(role));
}
