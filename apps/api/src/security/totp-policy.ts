import type { UserRecord } from '@betang/db';
import type { RequestHandler } from 'express';
import { locals } from '../http/context';

/**
 * True when the user has no TOTP and must enrol one: their role requires it, or an admin reset
 * their authenticator (which leaves them to enrol again whatever their role).
 */
export function needsTotpEnrolment(
  user: Pick<UserRecord, 'roles' | 'totpSecret' | 'totpEnrolmentRequired'>,
  requiredRoles: readonly string[],
): boolean {
  return !user.totpSecret && (user.totpEnrolmentRequired || user.roles.some((role) => requiredRoles.includes(role)));
}

/**
 * Middleware after authenticate(): marks the caller's authentication as restricted to TOTP
 * enrolment when their role requires TOTP and they have none. Guarantees: route() then refuses
 * every route not marked `allowDuringTotpEnrolment` with 403 TOTP_ENROLMENT_REQUIRED; sessions and
 * tokens alike.
 */
export function totpEnrolmentGate(requiredRoles: readonly string[]): RequestHandler {
  return (_req, res, next) => {
    const { auth } = locals(res);
    if (auth && needsTotpEnrolment(auth.user, requiredRoles)) auth.totpEnrolmentPending = true;
    next();
  };
}
