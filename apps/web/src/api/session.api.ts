import {
  ZApiTokenList,
  ZCreatedToken,
  ZForgotPasswordResponse,
  ZLoginResponse,
  ZMeResponse,
  ZSessionsEndedResult,
  ZTotpSecret,
  type ChangePasswordBody,
  type CreateTokenBody,
  type LoginBody,
  type ResetPasswordBody,
} from '@betang/core';
import type { ApiClient } from './http-client';

/** POST /auth/login: session cookie plus `{user, csrfToken}`. */
export const login = (api: ApiClient, body: LoginBody) => api.request('POST', '/auth/login', { body, response: ZLoginResponse });
/** POST /auth/logout: ends the session. */
export const logout = (api: ApiClient) => api.request('POST', '/auth/logout');
/** POST /auth/password/forgot: the same answer whether or not the e-mail has an account; an active one gets a reset link. */
export const forgotPassword = (api: ApiClient, body: { email: string }) =>
  api.request('POST', '/auth/password/forgot', { body, response: ZForgotPasswordResponse });
/** POST /auth/password/reset: the new password from the e-mailed link; every session of the account ends. */
export const resetPassword = (api: ApiClient, body: ResetPasswordBody) => api.request('POST', '/auth/password/reset', { body });
/** POST /me/password: changes the password with the current one; other sessions end, API tokens are revoked. */
export const changePassword = (api: ApiClient, body: ChangePasswordBody) =>
  api.request('POST', '/me/password', { body, response: ZSessionsEndedResult });
/** GET /me: the signed-in user, roles, institution and CSRF token. */
export const getMe = (api: ApiClient) => api.request('GET', '/me', { response: ZMeResponse });

/** GET /me/tokens. */
export const listTokens = (api: ApiClient) => api.request('GET', '/me/tokens', { response: ZApiTokenList });
/** POST /me/tokens: the answer holds the secret, shown once. */
export const createToken = (api: ApiClient, body: CreateTokenBody) => api.request('POST', '/me/tokens', { body, response: ZCreatedToken });
/** DELETE /me/tokens/:id. */
export const revokeToken = (api: ApiClient, id: string) => api.request('DELETE', `/me/tokens/${encodeURIComponent(id)}`);

/** POST /me/totp/secret: a new secret to enrol (not active until confirmed). */
export const newTotpSecret = (api: ApiClient) => api.request('POST', '/me/totp/secret', { response: ZTotpSecret });
/**
 * POST /me/totp: enables TOTP after checking the password and a code from the new app; replacing an
 * active one also needs `currentCode` from the app in use. Other sessions end and API tokens are revoked.
 */
export const enableTotp = (api: ApiClient, body: { secret: string; code: string; password?: string; currentCode?: string }) =>
  api.request('POST', '/me/totp', { body });
