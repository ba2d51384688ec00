import { AppError, ErrorCode } from '@betang/core';
import { findLiveSessionWithUser, findUsableApiTokenWithUser, touchApiToken, touchSession, type Db } from '@betang/db';
import type { Request, RequestHandler } from 'express';
import { locals } from '../http/context';
import { hashSecret, looksLikeApiToken } from '../security/secrets';

/** Name of the session cookie over plain HTTP (the embedded demo and tests on http://127.0.0.1). */
export const SESSION_COOKIE = 'betang_session';
/**
 * Name of the session cookie behind HTTPS. Browsers accept a `__Host-` cookie only with Secure,
 * Path=/ and no Domain, so no sibling subdomain (nor a plain-HTTP page) can plant or overwrite one.
 */
const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
const TOUCH_EVERY_MS = 5 * 60_000;
/** A planted cookie may sit before the real one; a few candidates are tried, never an unbounded list. */
const MAX_SESSION_CANDIDATES = 3;

/** The session cookie's name: `__Host-` prefixed exactly when the cookie is Secure (COOKIE_SECURE). */
export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

function decodeCookieValue(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * Every value of cookie `name` in the Cookie header, in the order sent, without a parser
 * dependency. Guarantees: never throws; a value that is not valid percent-encoding (a browser
 * never sends one Betang set) is skipped as if absent, so a planted malformed cookie cannot turn
 * every request into a 500.
 */
export function readCookies(req: Request, name: string): string[] {
  const header = req.get('cookie');
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== name) continue;
    const value = decodeCookieValue(part.slice(eq + 1).trim());
    if (value) values.push(value);
  }
  return values;
}

/**
 * Resolves the caller from `Authorization: Bearer <token>` or the session cookie and stores it in
 * the request locals. Anonymous requests pass through (routes decide); a bearer header that is
 * present but invalid is refused outright (401), so scripts learn their token is wrong.
 */
export function authenticate(db: Db, options: { sessionCookie: string } = { sessionCookie: SESSION_COOKIE }): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const token = match?.[1];
      if (!token || !looksLikeApiToken(token)) throw new AppError(ErrorCode.Unauthenticated);
      const found = await findUsableApiTokenWithUser(db, hashSecret(token));
      if (!found || !found.user.isActive) throw new AppError(ErrorCode.Unauthenticated);
      const { token: row, user } = found;
      if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > TOUCH_EVERY_MS) await touchApiToken(db, row.id);
      locals(res).auth = { user, via: 'token', tokenId: row.id, tokenScopes: row.scopes };
      return next();
    }
    // Over plain HTTP a sibling subdomain can add a cookie of the same name (sent first when its
    // path is longer): the first live session among the values sent wins.
    for (const secret of readCookies(req, options.sessionCookie).slice(0, MAX_SESSION_CANDIDATES)) {
      const sessionHash = hashSecret(secret);
      const found = await findLiveSessionWithUser(db, sessionHash);
      if (found?.user.isActive) {
        const { session, user } = found;
        if (Date.now() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(db, sessionHash);
        locals(res).auth = {
          user,
          via: 'session',
          sessionHash,
          csrfToken: session.csrfToken,
          sessionAuthMethod: session.authMethod,
          ...(session.reauthUntil ? { sessionReauth: { until: session.reauthUntil, multiFactor: session.reauthMfa } } : {}),
        };
        break;
      }
    }
    next();
  };
}
