import { ZLoginBody, ZLoginResponse } from '@betang/core';
import { appendAudit, deleteSession } from '@betang/db';
import { auditContext, locals } from '../http/context';
import { toUserDto } from '../http/dto';
import { route } from '../http/route';
import { sessionCookieName } from '../middleware/authenticate';
import { DEFAULT_RATE_LIMITS, RateLimiter, rateLimitedError } from '../security/rate-limit';
import { needsTotpEnrolment } from '../security/totp-policy';
import { signIn } from '../use-cases/sign-in';
import type { RoutesContext } from './router-context';

/** POST /auth/login (rate-limited per client IP and per e-mail), POST /auth/logout. */
export function authRoutes({ router, registry, deps }: RoutesContext): void {
  // Path=/ and no Domain: required for the `__Host-` name used with Secure, and right anyway.
  const cookieOptions = { httpOnly: true, sameSite: 'lax', secure: deps.config.COOKIE_SECURE, path: '/' } as const;
  const sessionCookie = sessionCookieName(deps.config.COOKIE_SECURE);
  const limiter = new RateLimiter(deps.db, deps.logger);
  const perIp = deps.rateLimits?.loginPerIp ?? DEFAULT_RATE_LIMITS.loginPerIp;
  const perEmail = deps.rateLimits?.loginPerEmail ?? DEFAULT_RATE_LIMITS.loginPerEmail;

  route(
    router,
    registry,
    { method: 'post', path: '/auth/login', tag: 'auth', summary: 'Masuk / sign in (session cookie; rate-limited per IP and e-mail)', access: 'public', body: ZLoginBody, response: ZLoginResponse },
    async ({ req, res, body }) => {
      const ip = req.ip ?? 'unknown';
      const email = body.email.toLowerCase();
      // Every attempt counts before the password is checked (argon2 is the costly part), the IP
      // first: an address over its limit cannot also use up other people's e-mail buckets. Only
      // the e-mail hit is given back on success — giving back IP hits would let one valid account
      // launder guesses against others from the same address.
      const tooMany = (wait: number) => {
        const minutes = Math.max(1, Math.ceil(wait / 60));
        return rateLimitedError(wait, {
          id: `Terlalu banyak percobaan masuk. Coba lagi dalam ${minutes} menit.`,
          en: `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        });
      };
      const byIp = await limiter.hit(perIp, ip);
      if (!byIp.allowed) throw tooMany(byIp.retryAfterSeconds);
      const byEmail = await limiter.hit(perEmail, email);
      if (!byEmail.allowed) throw tooMany(byEmail.retryAfterSeconds);
      const { sessionSecret, csrfToken, user, expiresAt } = await signIn(
        deps.db,
        body,
        { requestId: locals(res).requestId, ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 500) ?? null },
        deps.config.SESSION_TTL_HOURS,
      );
      await limiter.refund(perEmail, email);
      res.cookie(sessionCookie, sessionSecret, { ...cookieOptions, expires: expiresAt });
      return { user: toUserDto(user), csrfToken, totpEnrolmentRequired: needsTotpEnrolment(user, deps.config.TOTP_REQUIRED_ROLES) };
    },
  );

  route(
    router,
    registry,
    { method: 'post', path: '/auth/logout', tag: 'auth', summary: 'Keluar / sign out', access: 'user', allowDuringTotpEnrolment: true },
    async ({ req, res, auth }) => {
      await deps.db.transaction().execute(async (tx) => {
        if (auth.sessionHash) await deleteSession(tx, auth.sessionHash);
        await appendAudit(tx, { ...auditContext(req, res), institutionId: auth.user.institutionId, action: 'auth.logout', targetType: 'user', targetId: auth.user.id });
      });
      res.clearCookie(sessionCookie, cookieOptions);
      return undefined;
    },
  );
}
