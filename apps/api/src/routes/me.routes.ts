import {
  AppError,
  ErrorCode,
  TOKEN_DEFAULT_DAYS,
  TOKEN_MAX_DAYS,
  ZApiTokenList,
  ZChangePasswordBody,
  ZCreatedToken,
  ZCreateTokenBody,
  ZIdParam,
  ZMeResponse,
  ZSessionsEndedResult,
  ZTotpSecret,
  type MeResponse,
  type TokenScope,
} from '@betang/core';
import {
  appendAudit,
  deleteOtherSessionsOfUser,
  findInstitution,
  findOidcIdentityOfUser,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
  revokeApiTokensOfUser,
  setTotpSecret,
  spendPasswordResetTokensOfUser,
  updateUser,
  type ApiTokenRow,
  type Tx,
} from '@betang/db';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { auditContext, locals, type Authentication } from '../http/context';
import { iso, toUserDto } from '../http/dto';
import { route } from '../http/route';
import { hashPassword } from '../security/password';
import { assertAcceptablePassword } from '../security/password-policy';
import { passwordDisabledFor } from '../security/password-roles';
import { reauthenticate } from '../use-cases/reauthenticate';
import { hashSecret, newApiToken } from '../security/secrets';
import { matchTotpStep, newTotpSecret } from '../security/totp';
import { TotpSecretBox } from '../security/totp-secret-box';
import { needsTotpEnrolment, totpEnrolmentPendingFor } from '../security/totp-policy';
import type { RoutesContext } from './router-context';
import { oidcSettingsOf } from './sso.routes';

function toTokenDto(row: ApiTokenRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    scopes: row.scopes,
  };
}

const DAY_MS = 86_400_000;

/**
 * The expiry of a new token. Guarantees: in the future and at most TOKEN_MAX_DAYS ahead (400
 * otherwise); TOKEN_DEFAULT_DAYS ahead when none was asked for.
 */
function tokenExpiry(requested: string | undefined, now = new Date()): Date {
  if (!requested) return new Date(now.getTime() + TOKEN_DEFAULT_DAYS * DAY_MS);
  const expiresAt = new Date(requested);
  if (expiresAt <= now) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      { id: 'Tanggal kedaluwarsa harus di masa depan.', en: 'Expiry must be in the future.' },
      [{ path: 'body.expiresAt', message: 'past', code: 'too_small' }],
    );
  }
  if (expiresAt.getTime() > now.getTime() + TOKEN_MAX_DAYS * DAY_MS) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      { id: `Token API berlaku paling lama ${TOKEN_MAX_DAYS} hari.`, en: `An API token may be valid for at most ${TOKEN_MAX_DAYS} days.` },
      [{ path: 'body.expiresAt', message: `at most ${TOKEN_MAX_DAYS} days ahead`, code: 'too_big' }],
    );
  }
  return expiresAt;
}

/** GET /me, changing one's own password, personal API tokens (scoped, expiring), and TOTP enrolment. */
export function meRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  const totpRequiredRoles = deps.config.TOTP_REQUIRED_ROLES;
  const sso = oidcSettingsOf(deps.config);

  /** The ways this caller can re-authenticate (GET /me `reauth`). */
  async function reauthOptionsOf(auth: Authentication): Promise<MeResponse['reauth']> {
    const fresh = auth.sessionReauth && auth.sessionReauth.until.getTime() > Date.now() ? auth.sessionReauth : undefined;
    return {
      password: !passwordDisabledFor(auth.user.roles, deps.config.OIDC_PASSWORD_DISABLED_ROLES),
      sso: auth.via === 'session' && !!sso && !!(await findOidcIdentityOfUser(db, auth.user.id, sso.issuerUrl)),
      ssoUntil: fresh ? fresh.until.toISOString() : null,
      ssoMultiFactor: fresh?.multiFactor ?? false,
    };
  }

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/me',
      tag: 'me',
      summary: 'Pengguna saat ini / current user',
      access: 'user',
      response: ZMeResponse,
      allowDuringTotpEnrolment: true,
    },
    async ({ auth }) => {
      const institution = auth.user.institutionId ? await findInstitution(db, auth.user.institutionId) : undefined;
      return {
        user: toUserDto(auth.user),
        roles: auth.user.roles,
        institution: institution ? { id: institution.id, code: institution.code, name: institution.name } : null,
        csrfToken: auth.csrfToken ?? null,
        totpEnrolmentRequired: totpEnrolmentPendingFor(auth, totpRequiredRoles),
        reauth: await reauthOptionsOf(auth),
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/me/password',
      tag: 'me',
      summary:
        'Ubah kata sandi (dengan kata sandi saat ini): sesi lain berakhir dan token API dicabut / change the password (with the current one): other sessions end and API tokens are revoked',
      access: 'user',
      // A stolen token must not be able to take the account over by changing its password.
      scope: 'session-only',
      body: ZChangePasswordBody,
      response: ZSessionsEndedResult,
    },
    async ({ req, res, auth, body }) => {
      // Judged first: the verdict needs no secret, and a weak choice should not cost a sign-in attempt.
      assertAcceptablePassword(body.newPassword, auth.user, 'body.newPassword');
      // Counted towards the sign-in delays and audited, so a session left open cannot be used to guess the password.
      await reauthenticate(db, {
        userId: auth.user.id,
        password: body.currentPassword,
        ssoReauth: auth.sessionReauth,
        checkTotp: false,
        refusal: {
          id: 'Kata sandi saat ini salah; kata sandi tidak diganti.',
          en: 'The current password is wrong; the password was not changed.',
        },
        action: 'user.password_change',
        target: { type: 'user', id: auth.user.id, institutionId: auth.user.institutionId },
        audit: auditContext(req, res),
        masterSecret: deps.config.SIGNING_MASTER_SECRET,
        passwordDisabledRoles: deps.config.OIDC_PASSWORD_DISABLED_ROLES,
        logger: locals(res).log,
      });
      // Only after the current password proved right: before, this would answer guesses without counting them.
      if (body.newPassword === body.currentPassword) {
        throw new AppError(
          ErrorCode.ValidationFailed,
          { id: 'Kata sandi baru harus berbeda dari yang sekarang.', en: 'The new password must differ from the current one.' },
          [{ path: 'body.newPassword', message: 'same as the current password', code: 'password_unchanged' }],
        );
      }
      const passwordHash = await hashPassword(body.newPassword);
      return db.transaction().execute(async (tx) => {
        await updateUser(tx, auth.user.id, { passwordHash });
        // Whoever else holds the old password's sessions, tokens or a pending reset link is shut out; this session stays.
        const sessionsEnded = await deleteOtherSessionsOfUser(tx, auth.user.id, auth.sessionHash);
        const tokensRevoked = await revokeApiTokensOfUser(tx, auth.user.id);
        const linksSpent = await spendPasswordResetTokensOfUser(tx, auth.user.id);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: auth.user.institutionId,
          action: 'user.password_changed',
          targetType: 'user',
          targetId: auth.user.id,
          after: { sessionsEnded, tokensRevoked, resetLinksSpent: linksSpent },
        });
        return { sessionsEnded, tokensRevoked };
      });
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/me/tokens',
      tag: 'me',
      summary: 'Token API pribadi / personal API tokens',
      access: 'user',
      response: ZApiTokenList,
    },
    async ({ auth }) => ({
      items: (await listApiTokens(db, auth.user.id)).map(toTokenDto),
    }),
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/me/tokens',
      tag: 'me',
      summary:
        'Buat token API bercakupan, berlaku ≤ 365 hari (rahasia ditampilkan sekali) / create a scoped API token, valid ≤ 365 days (secret shown once)',
      access: 'user',
      scope: 'session-only',
      body: ZCreateTokenBody,
      response: ZCreatedToken,
      status: 201,
    },
    async ({ req, res, auth, body }) => {
      const expiresAt = tokenExpiry(body.expiresAt);
      const scopes: TokenScope[] = body.scopes ?? ['read'];
      const { token, prefix } = newApiToken();
      const row = await db.transaction().execute(async (tx) => {
        const created = await insertApiToken(tx, {
          userId: auth.user.id,
          name: body.name,
          prefix,
          tokenHash: hashSecret(token),
          expiresAt,
          scopes,
        });
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: auth.user.institutionId,
          action: 'api_token.created',
          targetType: 'api_token',
          targetId: created.id,
          after: { name: body.name, prefix, scopes, expiresAt: expiresAt.toISOString() },
        });
        return created;
      });
      return { ...toTokenDto(row), secret: token };
    },
  );

  route(
    router,
    registry,
    {
      method: 'delete',
      path: '/me/tokens/{id}',
      tag: 'me',
      summary: 'Cabut token API / revoke an API token',
      access: 'user',
      params: ZIdParam,
    },
    async ({ req, res, auth, params }) => {
      await db.transaction().execute(async (tx) => {
        if (!(await revokeApiToken(tx, auth.user.id, params.id))) throw new AppError(ErrorCode.NotFound);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: auth.user.institutionId,
          action: 'api_token.revoked',
          targetType: 'api_token',
          targetId: params.id,
        });
      });
      return undefined;
    },
  );

  const totpBox = new TotpSecretBox(deps.config.SIGNING_MASTER_SECRET);
  const ZCode = z.string().regex(/^\d{6}$/);
  const ZTotpConfirm = z.strictObject({
    secret: z.string().regex(/^[A-Z2-7]{32}$/),
    code: ZCode,
    /** Absent: the session re-authenticated at the identity provider moments ago. */
    password: z.string().min(1).max(1024).optional(),
    /** A code of the authenticator in use: required to replace it. */
    currentCode: ZCode.optional(),
  });
  const ZTotpDisable = z.strictObject({ password: z.string().min(1).max(1024).optional(), code: ZCode });

  /**
   * After the second factor changed: every other session of the user ends (the one that made the
   * change stays) and every API token is revoked, in the caller's transaction, audited with the counts.
   */
  async function afterTotpChange(tx: Tx, req: Request, res: Response, auth: Authentication, action: string) {
    const sessionsEnded = await deleteOtherSessionsOfUser(tx, auth.user.id, auth.sessionHash);
    const tokensRevoked = await revokeApiTokensOfUser(tx, auth.user.id);
    await appendAudit(tx, {
      ...auditContext(req, res),
      institutionId: auth.user.institutionId,
      action,
      targetType: 'user',
      targetId: auth.user.id,
      after: { sessionsEnded, tokensRevoked },
    });
  }

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/me/totp/secret',
      tag: 'me',
      summary: 'Buat rahasia TOTP baru untuk didaftarkan / new TOTP secret to enrol',
      access: 'user',
      allowDuringTotpEnrolment: true,
      response: ZTotpSecret,
    },
    async ({ auth }) => {
      const secret = newTotpSecret();
      const label = encodeURIComponent(`Betang:${auth.user.email}`);
      return { secret, otpauthUrl: `otpauth://totp/${label}?secret=${secret}&issuer=Betang&algorithm=SHA1&digits=6&period=30` };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/me/totp',
      tag: 'me',
      summary:
        'Aktifkan atau ganti TOTP (kata sandi + kode baru; kode saat ini bila sudah aktif), sesi lain berakhir dan token API dicabut / enable or replace TOTP (password + new code; current code when already on), other sessions end and API tokens are revoked',
      access: 'user',
      allowDuringTotpEnrolment: true,
      body: ZTotpConfirm,
    },
    async ({ req, res, auth, body }) => {
      const replacing = auth.user.totpSecret !== null;
      if (replacing && body.currentCode === undefined) {
        throw new AppError(
          ErrorCode.ValidationFailed,
          {
            id: 'Masukkan kode dari aplikasi autentikator yang sekarang untuk menggantinya.',
            en: 'Enter a code from your current authenticator app to replace it.',
          },
          [{ path: 'body.currentCode', message: 'required to replace an active authenticator', code: 'required' }],
        );
      }
      // The password (and the current code) go through re-authentication: counted towards the
      // sign-in delays and audited, so a stolen session cannot guess them here without limit.
      await reauthenticate(db, {
        userId: auth.user.id,
        password: body.password,
        ssoReauth: auth.sessionReauth,
        ...(body.currentCode !== undefined ? { totp: body.currentCode } : {}),
        checkTotp: replacing,
        refusal: replacing
          ? {
              id: 'Kata sandi atau kode TOTP saat ini salah; TOTP tidak diganti.',
              en: 'Wrong password or current TOTP code; TOTP was not replaced.',
            }
          : { id: 'Kata sandi salah; TOTP tidak diaktifkan.', en: 'Wrong password; TOTP was not enabled.' },
        action: replacing ? 'user.totp_change' : 'user.totp_enable',
        target: { type: 'user', id: auth.user.id, institutionId: auth.user.institutionId },
        audit: auditContext(req, res),
        masterSecret: deps.config.SIGNING_MASTER_SECRET,
        passwordDisabledRoles: deps.config.OIDC_PASSWORD_DISABLED_ROLES,
        logger: locals(res).log,
      });
      const step = matchTotpStep(body.secret, body.code);
      if (step === null) {
        throw new AppError(
          ErrorCode.InvalidCredentials,
          replacing
            ? {
                id: 'Kode dari aplikasi autentikator yang baru salah; TOTP tidak diganti.',
                en: 'The code from the new authenticator is wrong; TOTP was not replaced.',
              }
            : {
                id: 'Kode dari aplikasi autentikator salah; TOTP tidak diaktifkan.',
                en: 'The authenticator code is wrong; TOTP was not enabled.',
              },
        );
      }
      await db.transaction().execute(async (tx) => {
        // The confirming code's step is taken: that code cannot sign in afterwards.
        await setTotpSecret(tx, auth.user.id, totpBox.seal(auth.user.id, body.secret), step);
        await afterTotpChange(tx, req, res, auth, replacing ? 'user.totp_changed' : 'user.totp_enabled');
      });
      return undefined;
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/me/totp/disable',
      tag: 'me',
      summary:
        'Matikan TOTP (kata sandi + kode saat ini), sesi lain berakhir dan token API dicabut / switch TOTP off (password + current code), other sessions end and API tokens are revoked',
      access: 'user',
      body: ZTotpDisable,
    },
    async ({ req, res, auth, body }) => {
      if (auth.user.totpSecret === null) throw new AppError(ErrorCode.InvalidState, { id: 'TOTP belum aktif.', en: 'TOTP is not on.' });
      if (needsTotpEnrolment({ roles: auth.user.roles, totpSecret: null, totpEnrolmentRequired: false }, totpRequiredRoles)) {
        throw new AppError(ErrorCode.InvalidState, {
          id: 'Peran Anda wajib memakai TOTP: ganti aplikasi autentikator alih-alih mematikannya.',
          en: 'Your role requires TOTP: replace the authenticator instead of switching it off.',
        });
      }
      await reauthenticate(db, {
        userId: auth.user.id,
        password: body.password,
        ssoReauth: auth.sessionReauth,
        totp: body.code,
        refusal: { id: 'Kata sandi atau kode TOTP salah; TOTP tetap aktif.', en: 'Wrong password or TOTP code; TOTP stays on.' },
        action: 'user.totp_disable',
        target: { type: 'user', id: auth.user.id, institutionId: auth.user.institutionId },
        audit: auditContext(req, res),
        masterSecret: deps.config.SIGNING_MASTER_SECRET,
        passwordDisabledRoles: deps.config.OIDC_PASSWORD_DISABLED_ROLES,
        logger: locals(res).log,
      });
      await db.transaction().execute(async (tx) => {
        await setTotpSecret(tx, auth.user.id, null, null);
        await afterTotpChange(tx, req, res, auth, 'user.totp_disabled');
      });
      return undefined;
    },
  );
}
