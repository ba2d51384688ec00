import { AppError, ErrorCode } from '@betang/core';
import { findLiveSessionWithUser, findUsableApiTokenWithUser, touchApiToken, touchSession, type Db } from '@betang/db';
import type { Request, RequestHandler } from 'express';
import { locals } from '../http/context';
import { hashSecret, looksLikeApiToken } from '../security/secrets';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'betang_session';
const TOUCH_EVERY_MS = 5 * 60_000;

/** Reads one cookie from the Cookie header without a parser dependency. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * Resolves the caller from `Authorization: Bearer <token>` or the session cookie and stores it in
 * the request locals. Anonymous requests pass through (routes decide); a bearer header that is
 * present but invalid is refused outright (401), so scripts learn their token is wrong.
 */
export function authenticate(db: Db): RequestHandler {
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
    const secret = readCookie(req, SESSION_COOKIE);
    if (secret) {
      const sessionHash = hashSecret(secret);
      const found = await findLiveSessionWithUser(db, sessionHash);
      if (found?.user.isActive) {
        const { session, user } = found;
        if (Date.now() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(db, sessionHash);
        locals(res).auth = { user, via: 'session', sessionHash, csrfToken: session.csrfToken };
      }
    }
    next();
  };
}
