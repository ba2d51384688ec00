import {
  AppError,
  ErrorCode,
  Role,
  ZCreateUserBody,
  ZIdParam,
  ZUserListQuery,
  likePattern,
  type UserListQuery,
  ZSessionsEndedResult,
  ZTotpResetResult,
  ZUnlockResult,
  ZUpdateUserBody,
  ZUser,
  zPage,
  type CreateUserBody,
} from '@betang/core';
import {
  appendAudit,
  clearLoginThrottleOfEmail,
  deleteSessionsOfUser,
  findUserByEmail,
  findUserById,
  insertUser,
  listUsers,
  revokeApiTokensOfUser,
  setTotpSecret,
  spendPasswordResetTokensOfUser,
  updateUser,
  type Db,
} from '@betang/db';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { actorOf, auditContext, type Authentication } from '../http/context';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { toUserDto } from '../http/dto';
import { route } from '../http/route';
import { visibleInstitution } from '../http/tenancy';
import { emailThrottleHash } from '../security/login-throttle';
import { hashPassword } from '../security/password';
import { assertAcceptablePassword } from '../security/password-policy';
import { assertMayGrantRoles, assertMayManageUsersOf } from '../use-cases/manage-users';
import { noticePicLoss } from '../use-cases/pic/pic-loss';
import type { RoutesContext } from './router-context';

const ZUserPage = zPage(ZUser);
const ZInstitutionParams = z.strictObject({ id: z.uuid() });

async function pageOfUsers(db: Db, institutionId: string | null, query: UserListQuery) {
  const { limit, cursor, q } = query;
  const after = decodeCursor(z.string().uuid(), cursor);
  const rows = await listUsers(db, { institutionId, limit: limit + 1, afterId: after, textLike: q ? likePattern(q) : undefined });
  const page = rows.slice(0, limit);
  return { items: page.map(toUserDto), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null };
}

async function createUser(db: Db, req: Request, res: Response, auth: Authentication, institutionId: string | null, body: CreateUserBody) {
  assertMayGrantRoles(actorOf(auth), institutionId, body.roles);
  assertAcceptablePassword(body.password, body);
  const passwordHash = await hashPassword(body.password);
  return db.transaction().execute(async (tx) => {
    if (await findUserByEmail(tx, body.email))
      throw new AppError(ErrorCode.Conflict, {
        id: `E-mail ${body.email} sudah terdaftar.`,
        en: `E-mail ${body.email} is already registered.`,
      });
    const { password: _password, ...rest } = body;
    const user = await insertUser(tx, { ...rest, institutionId, passwordHash });
    await appendAudit(tx, {
      ...auditContext(req, res),
      institutionId,
      action: 'user.created',
      targetType: 'user',
      targetId: user.id,
      after: toUserDto(user),
    });
    return toUserDto(user);
  });
}

/**
 * Users of institutions (admin, institution head) and data-center staff (admin); deactivating and
 * reactivating an account; an admin's unlock of sign-in delays and reset of a user's TOTP.
 */
export function userRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/institutions/{id}/users',
      tag: 'users',
      summary: 'Pengguna instansi / users of an institution',
      access: 'user',
      params: ZInstitutionParams,
      query: ZUserListQuery,
      response: ZUserPage,
    },
    async ({ auth, params, query }) => {
      assertMayManageUsersOf(actorOf(auth), params.id);
      await visibleInstitution(db, actorOf(auth), params.id);
      return pageOfUsers(db, params.id, query);
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/institutions/{id}/users',
      tag: 'users',
      summary: 'Tambah pengguna instansi / add an institution user',
      access: 'user',
      params: ZInstitutionParams,
      body: ZCreateUserBody,
      response: ZUser,
      status: 201,
    },
    async ({ req, res, auth, params, body }) => {
      assertMayManageUsersOf(actorOf(auth), params.id);
      await visibleInstitution(db, actorOf(auth), params.id);
      return createUser(db, req, res, auth, params.id, body);
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/users',
      tag: 'users',
      summary: 'Staf pusat data / data-center staff',
      access: [Role.Admin],
      query: ZUserListQuery,
      response: ZUserPage,
    },
    async ({ query }) => pageOfUsers(db, null, query),
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/users',
      tag: 'users',
      summary: 'Tambah staf pusat data / add data-center staff',
      access: [Role.Admin],
      body: ZCreateUserBody,
      response: ZUser,
      status: 201,
    },
    async ({ req, res, auth, body }) => createUser(db, req, res, auth, null, body),
  );

  route(
    router,
    registry,
    {
      method: 'patch',
      path: '/users/{id}',
      tag: 'users',
      summary: 'Ubah pengguna / update a user',
      access: 'user',
      params: ZIdParam,
      body: ZUpdateUserBody,
      response: ZUser,
    },
    async ({ req, res, auth, params, body }) => {
      const actor = actorOf(auth);
      const before = await findUserById(db, params.id);
      if (!before) throw new AppError(ErrorCode.NotFound);
      assertMayManageUsersOf(actor, before.institutionId);
      if (body.roles) assertMayGrantRoles(actor, before.institutionId, body.roles);
      if (
        before.id === auth.user.id &&
        (body.isActive === false || (body.roles && !body.roles.includes(Role.Admin) && before.roles.includes(Role.Admin)))
      ) {
        throw new AppError(ErrorCode.InvalidState, {
          id: 'Anda tidak dapat menonaktifkan atau menurunkan peran akun Anda sendiri.',
          en: 'You cannot deactivate or demote your own account.',
        });
      }
      const { password, roles, ...fields } = body;
      if (password) assertAcceptablePassword(password, { email: before.email, name: fields.name ?? before.name });
      const passwordHash = password ? await hashPassword(password) : undefined;
      return db.transaction().execute(async (tx) => {
        const after = (await updateUser(tx, params.id, { ...fields, ...(passwordHash ? { passwordHash } : {}) }, roles))!;
        // A new password, or a deactivation, ends everything the account had opened: sessions, and
        // the API tokens minted in them (a later reactivation must not bring old tokens back).
        const endsAccess = Boolean(passwordHash) || body.isActive === false;
        const sessionsEnded = endsAccess ? await deleteSessionsOfUser(tx, params.id) : 0;
        const tokensRevoked = endsAccess ? await revokeApiTokensOfUser(tx, params.id) : 0;
        // Losing the account or an institution role can leave VMs without a qualifying PIC.
        const vmsNeedingPic = body.isActive === false || roles ? await noticePicLoss(tx, after.id, after.name) : 0;
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: after.institutionId,
          action: 'user.updated',
          targetType: 'user',
          targetId: after.id,
          before: toUserDto(before),
          after: {
            ...toUserDto(after),
            passwordChanged: Boolean(passwordHash),
            ...(endsAccess ? { sessionsEnded, tokensRevoked } : {}),
            ...(vmsNeedingPic > 0 ? { vmsNeedingPic } : {}),
          },
        });
        return toUserDto(after);
      });
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/users/{id}/unlock',
      tag: 'users',
      summary: "Hapus jeda masuk dan hitungan gagal pengguna / clear a user's sign-in delays and failure counts",
      access: [Role.Admin],
      params: ZIdParam,
      response: ZUnlockResult,
    },
    async ({ req, res, params }) => {
      const user = await findUserById(db, params.id);
      if (!user) throw new AppError(ErrorCode.NotFound);
      // The delays and their audit entry commit together.
      return db.transaction().execute(async (tx) => {
        const cleared = await clearLoginThrottleOfEmail(tx, emailThrottleHash(user.email));
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: user.institutionId,
          action: 'user.unlocked',
          targetType: 'user',
          targetId: user.id,
          after: { cleared },
        });
        return { cleared };
      });
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/users/{id}/totp/reset',
      tag: 'users',
      summary:
        "Atur ulang TOTP pengguna (autentikator hilang atau tidak terbaca): TOTP mati, semua sesinya berakhir, token API dicabut / reset a user's TOTP (lost or unreadable authenticator): TOTP off, all their sessions end, API tokens revoked",
      access: [Role.Admin],
      // Taking away someone's second factor is done by a person in a browser session, never by a script's token.
      scope: 'session-only',
      params: ZIdParam,
      response: ZTotpResetResult,
    },
    async ({ req, res, auth, params }) => {
      // An admin's own second factor changes through /me/totp, which asks for a current code.
      if (params.id === auth.user.id) {
        throw new AppError(ErrorCode.InvalidState, {
          id: 'TOTP akun Anda sendiri diganti lewat halaman Keamanan akun, bukan diatur ulang.',
          en: "Your own TOTP is replaced on your account's Security page, not reset.",
        });
      }
      return db.transaction().execute(async (tx) => {
        const user = await findUserById(tx, params.id);
        if (!user) throw new AppError(ErrorCode.NotFound);
        // Whoever holds the lost authenticator, or a session opened with it, is shut out together;
        // the user enrols a new one at the next sign-in.
        await setTotpSecret(tx, user.id, null, null, true);
        const sessionsEnded = await deleteSessionsOfUser(tx, user.id);
        const tokensRevoked = await revokeApiTokensOfUser(tx, user.id);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: user.institutionId,
          action: 'user.totp_reset',
          targetType: 'user',
          targetId: user.id,
          before: { totpEnabled: user.totpSecret !== null },
          after: { totpEnabled: false, totpEnrolmentRequired: true, sessionsEnded, tokensRevoked },
        });
        return { sessionsEnded, tokensRevoked };
      });
    },
  );

  /** The user `id` whom the caller may manage, never the caller themself (an admin cannot shut themself out). */
  async function managedOtherUser(auth: Authentication, id: string, self: { id: string; en: string }) {
    const user = await findUserById(db, id);
    if (!user) throw new AppError(ErrorCode.NotFound);
    assertMayManageUsersOf(actorOf(auth), user.institutionId);
    if (user.id === auth.user.id) throw new AppError(ErrorCode.InvalidState, self);
    return user;
  }

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/users/{id}/deactivate',
      tag: 'users',
      summary:
        'Nonaktifkan akun: tidak bisa masuk, semua sesinya berakhir, token API dan tautan atur ulang dicabut / deactivate an account: no sign-in, all its sessions end, API tokens and reset links revoked',
      access: 'user',
      params: ZIdParam,
      response: ZSessionsEndedResult,
    },
    async ({ req, res, auth, params }) => {
      const user = await managedOtherUser(auth, params.id, {
        id: 'Anda tidak dapat menonaktifkan akun Anda sendiri.',
        en: 'You cannot deactivate your own account.',
      });
      // Deactivating twice is harmless: the second one finds nothing left to end, and is audited all the same.
      return db.transaction().execute(async (tx) => {
        await updateUser(tx, user.id, { isActive: false });
        const sessionsEnded = await deleteSessionsOfUser(tx, user.id);
        const tokensRevoked = await revokeApiTokensOfUser(tx, user.id);
        await spendPasswordResetTokensOfUser(tx, user.id);
        const vmsNeedingPic = await noticePicLoss(tx, user.id, user.name);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: user.institutionId,
          action: 'user.deactivated',
          targetType: 'user',
          targetId: user.id,
          before: { isActive: user.isActive },
          after: { isActive: false, sessionsEnded, tokensRevoked, ...(vmsNeedingPic > 0 ? { vmsNeedingPic } : {}) },
        });
        return { sessionsEnded, tokensRevoked };
      });
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/users/{id}/reactivate',
      tag: 'users',
      summary:
        'Aktifkan kembali akun (sesi dan token lama tetap tidak berlaku) / reactivate an account (old sessions and tokens stay invalid)',
      access: 'user',
      params: ZIdParam,
      response: ZUser,
    },
    async ({ req, res, auth, params }) => {
      const user = await managedOtherUser(auth, params.id, {
        id: 'Anda tidak dapat mengaktifkan akun Anda sendiri.',
        en: 'You cannot reactivate your own account.',
      });
      return db.transaction().execute(async (tx) => {
        const after = (await updateUser(tx, user.id, { isActive: true }))!;
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: user.institutionId,
          action: 'user.reactivated',
          targetType: 'user',
          targetId: user.id,
          before: { isActive: user.isActive },
          after: { isActive: true },
        });
        return toUserDto(after);
      });
    },
  );
}
