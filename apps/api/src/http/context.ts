import type { Actor, Locale, TokenScope } from '@betang/core';
import type { UserRecord } from '@betang/db';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

/** How the caller authenticated. */
export type Authentication = {
  user: UserRecord;
  via: 'session' | 'token';
  /** Hash of the session secret, when via session. */
  sessionHash?: string;
  csrfToken?: string;
  tokenId?: string;
  /** Scopes of the API token, when via token. */
  tokenScopes?: readonly TokenScope[];
  /** How the session was opened, when via session: single sign-on sessions are not held to Betang's TOTP. */
  sessionAuthMethod?: 'password' | 'oidc';
  /** When via session: until when it counts as re-authenticated at the identity provider, and whether that was multi-factor. */
  sessionReauth?: { until: Date; multiFactor: boolean };
  /** Set when the user's role requires TOTP and they have not enrolled: only enrolment routes are served. */
  totpEnrolmentPending?: boolean;
};

/** Per-request values set by middleware; read through the helpers below. */
type RequestLocals = {
  requestId: string;
  locale: Locale;
  log: Logger;
  auth?: Authentication;
};

/** The request-scoped values (request id, language, logger, authentication). */
export function locals(res: Response): RequestLocals {
  return res.locals as RequestLocals;
}

/** The domain's view of the caller. */
export function actorOf(auth: Authentication): Actor {
  return { userId: auth.user.id, institutionId: auth.user.institutionId, roles: auth.user.roles };
}

/** Context written into every audit entry of this request. */
export function auditContext(req: Request, res: Response) {
  const { requestId, auth } = locals(res);
  return {
    actorUserId: auth?.user.id ?? null,
    actorLabel: auth ? `${auth.user.name} <${auth.user.email}>` : 'anonymous',
    requestId,
    ip: req.ip ?? null,
    userAgent: req.get('user-agent')?.slice(0, 500) ?? null,
  };
}
