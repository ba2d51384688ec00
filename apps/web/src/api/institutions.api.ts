import {
  ZInstitution,
  ZQuotaResponse,
  zPage,
  type CreateUserBody,
  type UpdateUserBody,
  ZSessionsEndedResult,
  ZTotpResetResult,
  ZUnlockResult,
  ZUser,
} from '@betang/core';
import type { ApiClient } from './http-client';
import type { QuotaLimits, ZCreateInstitutionBody } from '@betang/core';
import type { z } from 'zod';

const ZInstitutionPage = zPage(ZInstitution);
const ZUserPage = zPage(ZUser);

/** GET /institutions (operators: all; institution users: their own). */
export const listInstitutions = (api: ApiClient, cursor?: string) =>
  api.request('GET', '/institutions', { query: { limit: 50, cursor }, response: ZInstitutionPage });
/** GET /institutions/:id. */
export const getInstitution = (api: ApiClient, id: string) =>
  api.request('GET', `/institutions/${encodeURIComponent(id)}`, { response: ZInstitution });
/** GET /institutions/:id/quota: limits and usage. */
export const getQuota = (api: ApiClient, id: string) =>
  api.request('GET', `/institutions/${encodeURIComponent(id)}/quota`, { response: ZQuotaResponse });

/** Whose users a screen manages: one institution's, or the data-center staff (institutionId null). */
export type UserScope = { institutionId: string | null };

/** GET /institutions/:id/users or GET /users (data-center staff). */
export const listUsers = (api: ApiClient, scope: UserScope, cursor?: string, q?: string) =>
  api.request('GET', scope.institutionId ? `/institutions/${encodeURIComponent(scope.institutionId)}/users` : '/users', {
    query: { limit: 100, cursor, ...(q ? { q } : {}) },
    response: ZUserPage,
  });
/** POST /institutions/:id/users or POST /users. */
export const createUser = (api: ApiClient, scope: UserScope, body: CreateUserBody) =>
  api.request('POST', scope.institutionId ? `/institutions/${encodeURIComponent(scope.institutionId)}/users` : '/users', {
    body,
    response: ZUser,
  });
/** PATCH /users/:id. */
export const updateUser = (api: ApiClient, id: string, body: UpdateUserBody) =>
  api.request('PATCH', `/users/${encodeURIComponent(id)}`, { body, response: ZUser });
/** POST /users/:id/deactivate (admin; institution head for their own users): no sign-in; sessions end, API tokens and reset links revoked. */
export const deactivateUser = (api: ApiClient, id: string) =>
  api.request('POST', `/users/${encodeURIComponent(id)}/deactivate`, { response: ZSessionsEndedResult });
/** POST /users/:id/reactivate: the account can sign in again. */
export const reactivateUser = (api: ApiClient, id: string) =>
  api.request('POST', `/users/${encodeURIComponent(id)}/reactivate`, { response: ZUser });
/** POST /users/:id/unlock (admin): clears the user's sign-in delays and failure counts. */
export const unlockUser = (api: ApiClient, id: string) =>
  api.request('POST', `/users/${encodeURIComponent(id)}/unlock`, { response: ZUnlockResult });
/** POST /users/:id/totp/reset (admin): switches the user's TOTP off, ends their sessions, revokes their API tokens. */
export const resetUserTotp = (api: ApiClient, id: string) =>
  api.request('POST', `/users/${encodeURIComponent(id)}/totp/reset`, { response: ZTotpResetResult });

/** POST /institutions (admin): 409 when the code is taken. */
export const createInstitution = (api: ApiClient, body: z.input<typeof ZCreateInstitutionBody>) =>
  api.request('POST', '/institutions', { body, response: ZInstitution });
/** PUT /institutions/:id/quota (admin, operator): the new limits; the answer carries current usage. */
export const putQuota = (api: ApiClient, id: string, body: QuotaLimits) =>
  api.request('PUT', `/institutions/${encodeURIComponent(id)}/quota`, { body, response: ZQuotaResponse });
