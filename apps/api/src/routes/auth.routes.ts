import { ZLoginBody, ZLoginResponse } from '@betang/core';
import { appendAudit, deleteSession } from '@betang/db';
import { auditContext, locals } from '../http/context';
import { toUserDto } from '../http/dto';
import { route } from '../http/route';
import { SESSION_COOKIE } from '../middleware/authenticate';
import { signIn } from '../use-cases/sign-in';
import type { RoutesContext } from './router-context';

/** POST /auth/login, POST /auth/logout. */
export function authRoutes({ router, registry, deps }: RoutesContext): void {
  const cookieOptions = { httpOnly: true, sameSite: 'lax', secure: deps.config.COOKIE_SECURE, path: '/' } as const;

  route(
    router,
    registry,
    { method: 'post', path: '/auth/login', tag: 'auth', summary: 'Masuk / sign in (session cookie)', access: 'public', body: ZLoginBody, response: ZLoginResponse },
    async ({ req, res, body }) => {
      const { sessionSecret, csrfToken, user, expiresAt } = await signIn(
        deps.db,
        body,
        { requestId: locals(res).requestId, ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 500) ?? null },
        deps.config.SESSION_TTL_HOURS,
      );
      res.cookie(SESSION_COOKIE, sessionSecret, { ...cookieOptions, expires: expiresAt });
      return { user: toUserDto(user), csrfToken };
    },
  );

  route(
    router,
    registry,
    { method: 'post', path: '/auth/logout', tag: 'auth', summary: 'Keluar / sign out', access: 'user' },
    async ({ req, res, auth }) => {
      await deps.db.transaction().execute(async (tx) => {
        if (auth.sessionHash) await deleteSession(tx, auth.sessionHash);
        await appendAudit(tx, { ...auditContext(req, res), institutionId: auth.user.institutionId, action: 'auth.logout', targetType: 'user', targetId: auth.user.id });
      });
      res.clearCookie(SESSION_COOKIE, cookieOptions);
      return undefined;
    },
  );
}
