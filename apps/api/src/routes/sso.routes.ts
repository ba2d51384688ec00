import {
  AppError,
  ErrorCode,
  Role,
  ZAssignOidcIdentityBody,
  ZLoginResponse,
  ZOidcIdentity,
  ZOidcReauthStart,
  ZOidcStatus,
  ZPageQuery,
  ZSsoTotpBody,
  ZUser,
  zPage,
  zText,
  type AssignOidcIdentityBody,
  type OidcIdentityDto,
} from '@betang/core';
import {
  appendAudit,
  findInstitution,
  findOidcIdentity,
  findOidcIdentityOfUser,
  findUserByEmail,
  findLiveSession,
  findUserById,
  insertOidcLoginState,
  markSessionReauthenticated,
  insertUser,
  linkOidcIdentity,
  listPendingOidcIdentities,
  takeOidcLoginState,
  type OidcIdentityRow,
  type OidcLoginState,
  type Tx,
  type UserRecord,
} from '@betang/db';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import { actorOf, auditContext, locals } from '../http/context';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { toUserDto } from '../http/dto';
import { route } from '../http/route';
import { readCookies, sessionCookieName } from '../middleware/authenticate';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, tooManySignInsError } from '../security/login-throttle';
import { OidcFailure, OidcRelyingParty, type OidcFailureReason, type OidcSettings } from '../security/oidc-relying-party';
import { hashPassword } from '../security/password';
import { DEFAULT_RATE_LIMITS, RateLimiter, rateLimitedError } from '../security/rate-limit';
import { hashSecret, randomSecret, safeEqual } from '../security/secrets';
import { TotpSecretBox } from '../security/totp-secret-box';
import { assertMayGrantRoles } from '../use-cases/manage-users';
import { finishOidcSecondFactor, signInWithOidc } from '../use-cases/oidc-sign-in';
import { totpUnreadableError } from '../use-cases/sign-in';
import type { RoutesContext } from './router-context';

/** How long a started sign-on may take at the provider (its state row and cookie). */
const STATE_TTL_SECONDS = 10 * 60;
const STATE_COOKIE = 'betang_oidc_state';

/** A re-authentication counts when the provider's login is at most this old (its `auth_time`)... */
const REAUTH_AUTH_TIME_MAX_AGE_SECONDS = 5 * 60;
/** ...and then stands in for the password for this long. */
const REAUTH_WINDOW_SECONDS = 5 * 60;
/** Clock difference between Betang and the provider still accepted for an `auth_time` in the future. */
const AUTH_TIME_CLOCK_TOLERANCE_SECONDS = 30;
const SECOND_FACTOR_COOKIE = 'betang_oidc_2fa';

/** Web pages a callback ends on (the web app's routes). */
const PENDING_PAGE = '/sso/pending';
const SECOND_FACTOR_PAGE = '/sso/totp';
type FailedPageReason = 'expired' | 'unavailable' | 'inactive' | 'invalid';
const failedPage = (reason: FailedPageReason) => `/sso/failed?reason=${reason}`;

/**
 * What a provider sends back (RFC 6749 §4.1.2, RFC 9207 `iss`); other parameters a provider adds
 * (Keycloak's `session_state`) pass. Read here to document and bound them; openid-client reads the
 * URL itself.
 */
// One-line text without control characters: what comes back from the provider is refused as
// input (400 on the field) before anything else, SSO on or off.
const ZCallbackQuery = z.looseObject({
  code: zText({ max: 4096 }).optional(),
  state: zText({ max: 4096 }).optional(),
  iss: zText({ max: 2048 }).optional(),
  error: zText({ max: 256 }).optional(),
  error_description: zText({ max: 4096 }).optional(),
});

/** Why a re-authentication at the provider was refused (beyond the sign-on failures): audited, and shown as `?reauth=`. */
type ReauthRefusal = 'session_mismatch' | 'subject_mismatch' | 'stale_auth_time';

/** `POST /auth/oidc/reauth` body: the web path to come back to (inside the app, never another site). */
const ZReauthStartBody = z.strictObject({
  returnTo: z
    .string()
    .max(500)
    // A path in the app: "/" and then not a second "/" (a "//host" URL would leave the app).
    .regex(/^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@%][A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*)?$/)
    .default('/'),
});

/** `returnTo` with `reauth=<outcome>` added, so the page that asked knows how it went. */
function backTo(returnTo: string | null, outcome: 'ok' | 'refused' | 'failed'): string {
  const url = new URL(returnTo ?? '/', 'http://betang.invalid');
  url.searchParams.set('reauth', outcome);
  return url.pathname + url.search;
}

/** The settings of single sign-on, or undefined when it is not configured. */
export function oidcSettingsOf(config: AppDeps['config']): OidcSettings | undefined {
  const { OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI } = config;
  if (!OIDC_ISSUER_URL || !OIDC_CLIENT_ID || !OIDC_CLIENT_SECRET) return undefined;
  return {
    issuerUrl: OIDC_ISSUER_URL,
    clientId: OIDC_CLIENT_ID,
    clientSecret: OIDC_CLIENT_SECRET,
    redirectUri: OIDC_REDIRECT_URI ?? new URL('/api/v1/auth/oidc/callback', config.PUBLIC_URL).toString(),
    scopes: config.OIDC_SCOPES ?? ['openid', 'email', 'profile'],
    ...(config.OIDC_NIP_CLAIM ? { nipClaim: config.OIDC_NIP_CLAIM } : {}),
    mfaAcrValues: config.OIDC_MFA_ACR_VALUES ?? [],
  };
}

function ssoOffError(): AppError {
  return new AppError(ErrorCode.NotFound, {
    id: 'Masuk dengan SSO tidak diaktifkan di Betang ini.',
    en: 'Single sign-on is not enabled on this Betang.',
  });
}

function toIdentityDto(row: OidcIdentityRow): OidcIdentityDto {
  return {
    id: row.id,
    issuer: row.issuer,
    subject: row.subject,
    email: row.email,
    emailVerified: row.emailVerified,
    name: row.name,
    nip: row.nip,
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
  };
}

function failedPageFor(failure: OidcFailure): FailedPageReason {
  if (failure.reason === 'provider_unreachable') return 'unavailable';
  if (failure.reason === 'state_mismatch') return 'expired';
  return 'invalid';
}

/** The Betang user an admin's assignment makes or names for `identity`, in the caller's transaction. */
async function userForAssignment(
  tx: Tx,
  identity: OidcIdentityRow,
  body: AssignOidcIdentityBody,
  req: Request,
  res: Response,
): Promise<UserRecord> {
  const { auth } = locals(res);
  if ('userId' in body) {
    const user = await findUserById(tx, body.userId);
    if (!user) throw new AppError(ErrorCode.NotFound, { id: 'Pengguna tidak ditemukan.', en: 'User not found.' });
    if (!user.isActive) throw new AppError(ErrorCode.InvalidState, { id: 'Pengguna itu dinonaktifkan.', en: 'That user is deactivated.' });
    if (await findOidcIdentityOfUser(tx, user.id, identity.issuer))
      throw new AppError(ErrorCode.Conflict, {
        id: 'Pengguna itu sudah tertaut ke identitas SSO lain.',
        en: 'That user is already linked to another SSO identity.',
      });
    return user;
  }
  assertMayGrantRoles(actorOf(auth!), body.institutionId, body.roles);
  if (body.institutionId !== null && !(await findInstitution(tx, body.institutionId)))
    throw new AppError(ErrorCode.NotFound, { id: 'Perangkat daerah tidak ditemukan.', en: 'Institution not found.' });
  const email = body.email ?? identity.email;
  if (!email)
    throw new AppError(
      ErrorCode.ValidationFailed,
      {
        id: 'Penyedia identitas tidak memberi e-mail orang ini; isi e-mailnya.',
        en: 'The identity provider gave no e-mail for this person; enter one.',
      },
      [{ path: 'body.email', message: 'required', code: 'required' }],
    );
  if (await findUserByEmail(tx, email))
    throw new AppError(ErrorCode.Conflict, { id: `E-mail ${email} sudah terdaftar.`, en: `E-mail ${email} is already registered.` });
  // The person signs in through the provider; the random password is never told to anyone.
  const user = await insertUser(tx, {
    institutionId: body.institutionId,
    email,
    name: body.name ?? identity.name ?? email,
    nip: identity.nip,
    roles: body.roles,
    passwordHash: await hashPassword(randomSecret(32)),
  });
  await appendAudit(tx, {
    ...auditContext(req, res),
    institutionId: body.institutionId,
    action: 'user.created',
    targetType: 'user',
    targetId: user.id,
    after: { ...toUserDto(user), viaSsoIdentity: identity.id },
  });
  return user;
}

/**
 * Single sign-on through OpenID Connect: GET /auth/oidc (is it on), GET /auth/oidc/start (to the
 * provider) and GET /auth/oidc/callback (back from it), plus the admin's list of people waiting
 * for access and the assignment that gives them a user (or links them to one).
 */
export function ssoRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  const settings = oidcSettingsOf(deps.config);
  const rp = settings ? new OidcRelyingParty(settings) : undefined;
  const limiter = new RateLimiter(db, deps.logger);
  const perIp = deps.rateLimits?.oidcPerIp ?? DEFAULT_RATE_LIMITS.oidcPerIp;
  const secure = deps.config.COOKIE_SECURE;
  const stateCookie = secure ? `__Host-${STATE_COOKIE}` : STATE_COOKIE;
  const stateCookieOptions = { httpOnly: true, sameSite: 'lax', secure, path: '/' } as const;
  const sessionCookie = sessionCookieName(secure);
  const secondFactorCookie = secure ? `__Host-${SECOND_FACTOR_COOKIE}` : SECOND_FACTOR_COOKIE;
  const throttleSignIns = new LoginThrottle(db, DEFAULT_LOGIN_THROTTLE, deps.logger);
  const totpBox = new TotpSecretBox(deps.config.SIGNING_MASTER_SECRET);
  const requestMeta = (req: Request, res: Response) => ({
    requestId: locals(res).requestId,
    ip: req.ip ?? null,
    userAgent: req.get('user-agent')?.slice(0, 500) ?? null,
  });

  async function auditFailure(req: Request, res: Response, reason: string, detail: string): Promise<void> {
    locals(res).log.warn({ reason, detail }, 'single sign-on refused');
    await appendAudit(db, {
      ...auditContext(req, res),
      institutionId: null,
      action: 'auth.sso_failed',
      targetType: 'oidc_issuer',
      targetId: null,
      after: { reason, detail: detail.slice(0, 500), issuer: settings?.issuerUrl ?? null },
    });
  }

  async function auditReauth(
    req: Request,
    res: Response,
    user: Pick<UserRecord, 'id' | 'institutionId' | 'name' | 'email'> | undefined,
    outcome: { ok: true; multiFactor: boolean } | { ok: false; reason: string; detail: string },
  ): Promise<void> {
    if (!outcome.ok) locals(res).log.warn({ reason: outcome.reason, detail: outcome.detail }, 're-authentication at the provider refused');
    await appendAudit(db, {
      ...auditContext(req, res),
      ...(user ? { actorUserId: user.id, actorLabel: `${user.name} <${user.email}>` } : {}),
      institutionId: user?.institutionId ?? null,
      action: outcome.ok ? 'auth.reauthenticated' : 'auth.reauth_failed',
      targetType: 'user',
      targetId: user?.id ?? null,
      after: outcome.ok
        ? { method: 'oidc', multiFactor: outcome.multiFactor, issuer: settings?.issuerUrl ?? null }
        : { reason: outcome.reason, detail: outcome.detail.slice(0, 500), issuer: settings?.issuerUrl ?? null },
    });
  }

  async function throttle(req: Request): Promise<void> {
    const hit = await limiter.hit(perIp, req.ip ?? 'unknown');
    if (!hit.allowed) throw rateLimitedError(hit.retryAfterSeconds);
  }

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/auth/oidc',
      tag: 'auth',
      summary: 'Apakah masuk dengan SSO aktif / whether single sign-on is enabled',
      access: 'public',
      response: ZOidcStatus,
    },
    async () => ({ enabled: rp !== undefined }),
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/auth/oidc/start',
      tag: 'auth',
      summary:
        'Mulai masuk dengan SSO: mengalihkan ke penyedia identitas (kode otorisasi + PKCE) / start single sign-on: redirects to the identity provider (authorization code + PKCE)',
      access: 'public',
      status: 302,
    },
    async ({ req, res }) => {
      if (!rp) throw ssoOffError();
      await throttle(req);
      let started;
      try {
        started = await rp.start();
      } catch (error) {
        if (!(error instanceof OidcFailure)) throw error;
        await auditFailure(req, res, error.reason, error.detail);
        res.redirect(302, failedPage('unavailable'));
        return;
      }
      await insertOidcLoginState(db, {
        stateHash: hashSecret(started.state),
        nonce: started.nonce,
        codeVerifier: started.codeVerifier,
        expiresAt: new Date(Date.now() + STATE_TTL_SECONDS * 1000),
      });
      res.cookie(stateCookie, started.state, { ...stateCookieOptions, maxAge: STATE_TTL_SECONDS * 1000 });
      res.redirect(302, started.url);
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/auth/oidc/callback',
      tag: 'auth',
      summary:
        'Kembali dari penyedia identitas: memeriksa state (sekali pakai), penerbit, audiens, tanda tangan, masa berlaku dan nonce token ID, lalu membuat sesi bagi pengguna Betang yang tertaut; orang yang belum dikenal menunggu admin / back from the identity provider: checks the single-use state, issuer, audience, signature, expiry and nonce of the ID token, then creates a session for the linked Betang user; an unknown person waits for an admin',
      access: 'public',
      query: ZCallbackQuery,
      status: 302,
    },
    async ({ req, res, query }) => {
      if (!rp) throw ssoOffError();
      await throttle(req);
      res.clearCookie(stateCookie, stateCookieOptions);
      const state = query.state ?? '';
      // The state must come back to the browser that started the sign-on (its cookie): a link with
      // someone else's state cannot sign this browser in as them.
      const ours = state !== '' && readCookies(req, stateCookie).some((value) => safeEqual(value, state));
      if (!ours) {
        await auditFailure(req, res, 'state_mismatch', state ? 'the state is not the one this browser started' : 'no state');
        res.redirect(302, failedPage('expired'));
        return;
      }
      const kept = await takeOidcLoginState(db, hashSecret(state));
      if (!kept) {
        await auditFailure(req, res, 'state_reused_or_expired', 'the state was already used or has expired');
        res.redirect(302, failedPage('expired'));
        return;
      }
      if (kept.purpose === 'reauth') {
        await finishReauth(req, res, state, kept);
        return;
      }
      let person;
      try {
        person = await rp.finish(req.originalUrl, { state, nonce: kept.nonce, codeVerifier: kept.codeVerifier });
      } catch (error) {
        if (!(error instanceof OidcFailure)) throw error;
        await auditFailure(req, res, error.reason, error.detail);
        res.redirect(302, failedPage(failedPageFor(error)));
        return;
      }
      const outcome = await signInWithOidc(db, person, requestMeta(req, res), { sessionTtlHours: deps.config.SESSION_TTL_HOURS });
      if (outcome.kind === 'pending') res.redirect(302, PENDING_PAGE);
      else if (outcome.kind === 'inactive') res.redirect(302, failedPage('inactive'));
      else if (outcome.kind === 'totp_required') {
        res.cookie(secondFactorCookie, outcome.secret, { ...stateCookieOptions, expires: outcome.expiresAt });
        res.redirect(302, SECOND_FACTOR_PAGE);
      } else {
        res.cookie(sessionCookie, outcome.sessionSecret, {
          httpOnly: true,
          sameSite: 'lax',
          secure,
          path: '/',
          expires: outcome.expiresAt,
        });
        res.redirect(302, '/');
      }
    },
  );

  /**
   * The callback of a re-authentication: only for the session that started it (its cookie is
   * sent back), only for the person that session belongs to (the subject its user is linked to),
   * and only with a login at the provider moments ago (`auth_time`). Anything else is refused and
   * leaves the session as it was.
   */
  async function finishReauth(req: Request, res: Response, state: string, kept: OidcLoginState): Promise<void> {
    const session = kept.sessionHash ? await findLiveSession(db, kept.sessionHash) : undefined;
    const user = session ? await findUserById(db, session.userId) : undefined;
    const refuse = async (reason: OidcFailureReason | ReauthRefusal, detail: string, outcome: 'refused' | 'failed') => {
      await auditReauth(req, res, user, { ok: false, reason, detail });
      res.redirect(302, backTo(kept.returnTo, outcome));
    };
    const ours = !!session && readCookies(req, sessionCookie).some((value) => safeEqual(hashSecret(value), session.idHash));
    if (!session || !user?.isActive || !ours) {
      await refuse('session_mismatch', 'the callback did not come with the session that started the re-authentication', 'failed');
      return;
    }
    let person;
    try {
      person = await rp!.finish(req.originalUrl, { state, nonce: kept.nonce, codeVerifier: kept.codeVerifier });
    } catch (error) {
      if (!(error instanceof OidcFailure)) throw error;
      await refuse(error.reason, error.detail, 'failed');
      return;
    }
    const linked = await findOidcIdentityOfUser(db, user.id, person.issuer);
    if (!linked || linked.subject !== person.subject) {
      await refuse(
        'subject_mismatch',
        `the provider authenticated subject ${person.subject.slice(0, 255)}, not the one this user is linked to`,
        'refused',
      );
      return;
    }
    const nowSeconds = Date.now() / 1000;
    if (
      person.authTime === null ||
      person.authTime < nowSeconds - REAUTH_AUTH_TIME_MAX_AGE_SECONDS ||
      person.authTime > nowSeconds + AUTH_TIME_CLOCK_TOLERANCE_SECONDS
    ) {
      await refuse('stale_auth_time', `auth_time ${String(person.authTime)}, now ${Math.floor(nowSeconds)}`, 'refused');
      return;
    }
    if (!(await markSessionReauthenticated(db, session.idHash, new Date(Date.now() + REAUTH_WINDOW_SECONDS * 1000), person.multiFactor))) {
      await refuse('session_mismatch', 'the session ended during the re-authentication', 'failed');
      return;
    }
    await auditReauth(req, res, user, { ok: true, multiFactor: person.multiFactor });
    res.redirect(302, backTo(kept.returnTo, 'ok'));
  }

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/auth/oidc/reauth',
      tag: 'auth',
      summary:
        'Masuk ulang melalui penyedia identitas (prompt=login, max_age=0) agar tindakan penting dapat dilakukan tanpa kata sandi Betang selama beberapa menit; menjawab alamat penyedia / sign in again at the identity provider (prompt=login, max_age=0) so sensitive actions accept the session without the Betang password for a few minutes; answers the provider URL',
      access: 'user',
      // A token is not a browser: it cannot log in at the provider, and must not mark a session.
      scope: 'session-only',
      body: ZReauthStartBody,
      response: ZOidcReauthStart,
    },
    async ({ req, res, auth, body }) => {
      if (!rp) throw ssoOffError();
      await throttle(req);
      if (!auth.sessionHash) throw new AppError(ErrorCode.Forbidden);
      let started;
      try {
        started = await rp.start({ forceLogin: true });
      } catch (error) {
        if (!(error instanceof OidcFailure)) throw error;
        await auditReauth(req, res, auth.user, { ok: false, reason: error.reason, detail: error.detail });
        // Like a refused callback: the page that asked says the provider could not be reached.
        return { url: backTo(body.returnTo, 'failed') };
      }
      await insertOidcLoginState(db, {
        stateHash: hashSecret(started.state),
        nonce: started.nonce,
        codeVerifier: started.codeVerifier,
        expiresAt: new Date(Date.now() + STATE_TTL_SECONDS * 1000),
        purpose: 'reauth',
        sessionHash: auth.sessionHash,
        returnTo: body.returnTo,
      });
      res.cookie(stateCookie, started.state, { ...stateCookieOptions, maxAge: STATE_TTL_SECONDS * 1000 });
      return { url: started.url };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/auth/oidc/totp',
      tag: 'auth',
      summary:
        'Kode TOTP Betang setelah masuk dengan SSO (bila penyedia hanya memakai satu faktor dan pengguna memakai TOTP di Betang); membuat sesi / Betang TOTP code after single sign-on (when the provider used one factor and the user enrolled TOTP in Betang); creates the session',
      access: 'public',
      body: ZSsoTotpBody,
      response: ZLoginResponse,
    },
    async ({ req, res, body }) => {
      if (!rp) throw ssoOffError();
      await throttle(req);
      const secret = readCookies(req, secondFactorCookie)[0];
      const outcome = secret
        ? await finishOidcSecondFactor(db, secret, body.code, requestMeta(req, res), {
            sessionTtlHours: deps.config.SESSION_TTL_HOURS,
            throttle: throttleSignIns,
            totpBox,
            logger: locals(res).log,
          })
        : ({ kind: 'expired' } as const);
      if (outcome.kind === 'throttled') throw tooManySignInsError(outcome.retryAfterSeconds);
      if (outcome.kind === 'unreadable') throw totpUnreadableError();
      if (outcome.kind === 'expired') {
        res.clearCookie(secondFactorCookie, stateCookieOptions);
        throw new AppError(ErrorCode.InvalidState, {
          id: 'Waktu memasukkan kode sudah habis; masuk dengan SSO sekali lagi.',
          en: 'The time to enter the code has run out; sign in with SSO again.',
        });
      }
      if (outcome.kind === 'wrong_code')
        throw new AppError(ErrorCode.InvalidCredentials, {
          id: 'Kode TOTP salah; masukkan kode yang sedang tampil di aplikasi autentikator Anda.',
          en: 'Wrong TOTP code; enter the code your authenticator app shows now.',
        });
      res.clearCookie(secondFactorCookie, stateCookieOptions);
      res.cookie(sessionCookie, outcome.sessionSecret, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: outcome.expiresAt });
      return {
        user: toUserDto(outcome.user),
        csrfToken: outcome.csrfToken,
        // An SSO session is not held to TOTP enrolment (docs/sso.md), and this user has TOTP anyway.
        totpEnrolmentRequired: false,
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/sso/identities',
      tag: 'users',
      summary: 'Orang yang masuk dengan SSO dan menunggu akses / people who signed in with SSO and wait for access',
      access: [Role.Admin],
      query: ZPageQuery,
      response: zPage(ZOidcIdentity),
    },
    async ({ query }) => {
      const after = decodeCursor(z.uuid(), query.cursor);
      const rows = await listPendingOidcIdentities(db, { limit: query.limit + 1, ...(after ? { afterId: after } : {}) });
      const page = rows.slice(0, query.limit);
      return { items: page.map(toIdentityDto), nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.id) : null };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/sso/identities/{id}/assign',
      tag: 'users',
      summary:
        'Beri akses kepada orang yang menunggu: pengguna baru (perangkat daerah + peran) atau tautkan ke pengguna yang ada / give a waiting person access: a new user (institution + roles) or a link to an existing user',
      access: [Role.Admin],
      params: z.strictObject({ id: z.uuid() }),
      body: ZAssignOidcIdentityBody,
      response: ZUser,
    },
    async ({ req, res, params, body }) =>
      db.transaction().execute(async (tx) => {
        const identity = await findOidcIdentity(tx, params.id);
        if (!identity) throw new AppError(ErrorCode.NotFound, { id: 'Identitas SSO tidak ditemukan.', en: 'SSO identity not found.' });
        if (identity.userId)
          throw new AppError(ErrorCode.Conflict, { id: 'Identitas SSO ini sudah tertaut.', en: 'This SSO identity is already linked.' });
        const user = await userForAssignment(tx, identity, body, req, res);
        if (!(await linkOidcIdentity(tx, identity.id, user.id, locals(res).auth?.user.id ?? null)))
          throw new AppError(ErrorCode.Conflict, { id: 'Identitas SSO ini sudah tertaut.', en: 'This SSO identity is already linked.' });
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: user.institutionId,
          action: 'sso.identity_assigned',
          targetType: 'user',
          targetId: user.id,
          after: { identityId: identity.id, issuer: identity.issuer, subject: identity.subject, existingUser: 'userId' in body },
        });
        return toUserDto(user);
      }),
  );
}
