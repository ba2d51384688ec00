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
 * True when this caller must enrol TOTP before anything else: needsTotpEnrolment, except in a
 * single sign-on session — the identity provider authenticated the person, Betang never asks its
 * TOTP there, and an SSO-made user knows no Betang password to enrol with.
 */
export function totpEnrolmentPendingFor(
  auth: { user: Pick<UserRecord, 'roles' | 'totpSecret' | 'totpEnrolmentRequired'>; sessionAuthMethod?: 'password' | 'oidc' },
  requiredRoles: readonly string[],
): boolean {
  return auth.sessionAuthMethod !== 'oidc' && needsTotpEnrolment(auth.user, requiredRoles);
}

/**
 * Middleware after authenticate(): marks the caller's authentication as restricted to TOTP
 * enrolment when their role requires TOTP and they have none (totpEnrolmentPendingFor).
 * Guarantees: route() then refuses every route not marked `allowDuringTotpEnrolment` with 403
 * TOTP_ENROLMENT_REQUIRED; password sessions and tokens alike.
 */
export function totpEnrolmentGate(requiredRoles: readonly string[]): RequestHandler {
  return (_req, res, next) => {
    const { auth } = locals(res);
    if (auth && totpEnrolmentPendingFor(auth, requiredRoles)) auth.totpEnrolmentPending = true;
    next();
  };
}
