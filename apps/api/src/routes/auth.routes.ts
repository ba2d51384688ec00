import { ZForgotPasswordBody, ZForgotPasswordResponse, ZLoginBody, ZLoginResponse, ZResetPasswordBody } from '@betang/core';
import { appendAudit, deleteSession } from '@betang/db';
import { auditContext, locals } from '../http/context';
import { toUserDto } from '../http/dto';
import { route } from '../http/route';
import { sessionCookieName } from '../middleware/authenticate';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, tooManySignInsError } from '../security/login-throttle';
import { DEFAULT_RATE_LIMITS, RateLimiter, rateLimitedError } from '../security/rate-limit';
import { TotpSecretBox } from '../security/totp-secret-box';
import { needsTotpEnrolment } from '../security/totp-policy';
import { requestPasswordReset, resetPassword } from '../use-cases/password-reset';
import { signIn } from '../use-cases/sign-in';
import type { RoutesContext } from './router-context';

/**
 * POST /auth/login (rate-limited per client IP, delayed per e-mail + IP after failures), POST
 * /auth/logout, and the forgotten-password pair: POST /auth/password/forgot (e-mails a link) and
 * POST /auth/password/reset (uses it).
 */
export function authRoutes({ router, registry, deps }: RoutesContext): void {
  // Path=/ and no Domain: required for the `__Host-` name used with Secure, and right anyway.
  const cookieOptions = { httpOnly: true, sameSite: 'lax', secure: deps.config.COOKIE_SECURE, path: '/' } as const;
  const sessionCookie = sessionCookieName(deps.config.COOKIE_SECURE);
  const limiter = new RateLimiter(deps.db, deps.logger);
  const perIp = deps.rateLimits?.loginPerIp ?? DEFAULT_RATE_LIMITS.loginPerIp;
  const throttle = new LoginThrottle(deps.db, DEFAULT_LOGIN_THROTTLE, deps.logger);
  const totpBox = new TotpSecretBox(deps.config.SIGNING_MASTER_SECRET);
  const limits = { ...DEFAULT_RATE_LIMITS, ...deps.rateLimits };

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/auth/login',
      tag: 'auth',
      summary: 'Masuk / sign in (session cookie; rate-limited per IP, delayed per e-mail + IP after failures)',
      access: 'public',
      body: ZLoginBody,
      response: ZLoginResponse,
    },
    async ({ req, res, body }) => {
      const ip = req.ip ?? 'unknown';
      // Every attempt counts against the address before the password is checked (argon2 is the
      // costly part); successes too — giving them back would let one valid account launder
      // guesses against others from the same address. The per-e-mail + address delays follow in signIn.
      const byIp = await limiter.hit(perIp, ip);
      if (!byIp.allowed) throw tooManySignInsError(byIp.retryAfterSeconds);
      const { sessionSecret, csrfToken, user, expiresAt } = await signIn(
        deps.db,
        body,
        { requestId: locals(res).requestId, ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 500) ?? null },
        {
          sessionTtlHours: deps.config.SESSION_TTL_HOURS,
          throttle,
          totpBox,
          logger: locals(res).log,
          passwordDisabledRoles: deps.config.OIDC_PASSWORD_DISABLED_ROLES,
        },
      );
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
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: auth.user.institutionId,
          action: 'auth.logout',
          targetType: 'user',
          targetId: auth.user.id,
        });
      });
      res.clearCookie(sessionCookie, cookieOptions);
      return undefined;
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/auth/password/forgot',
      tag: 'auth',
      summary:
        'Lupa kata sandi: kirim tautan atur ulang (30 menit, sekali pakai) bila e-mail terdaftar; jawaban sama untuk e-mail apa pun / forgot password: e-mail a reset link (30 minutes, once) when the e-mail is registered; the same answer for any e-mail',
      access: 'public',
      body: ZForgotPasswordBody,
      response: ZForgotPasswordResponse,
      status: 202,
    },
    async ({ req, res, body }) => {
      const byIp = await limiter.hit(limits.passwordForgotPerIp, req.ip ?? 'unknown');
      if (!byIp.allowed) throw rateLimitedError(byIp.retryAfterSeconds);
      return requestPasswordReset(deps.db, body.email, {
        publicUrl: deps.config.PUBLIC_URL,
        limiter,
        perEmail: limits.passwordForgotPerEmail,
        audit: auditContext(req, res),
        logger: locals(res).log,
        passwordDisabledRoles: deps.config.OIDC_PASSWORD_DISABLED_ROLES,
      });
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/auth/password/reset',
      tag: 'auth',
      summary:
        'Atur ulang kata sandi dengan tautan dari e-mail: semua sesi berakhir dan token API dicabut / reset the password with the e-mailed link: every session ends and API tokens are revoked',
      access: 'public',
      body: ZResetPasswordBody,
    },
    async ({ req, res, body }) => {
      const byIp = await limiter.hit(limits.passwordResetPerIp, req.ip ?? 'unknown');
      if (!byIp.allowed) throw rateLimitedError(byIp.retryAfterSeconds);
      await resetPassword(deps.db, body, auditContext(req, res));
      return undefined;
    },
  );
}
