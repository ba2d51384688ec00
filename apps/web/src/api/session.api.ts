import { ZApiTokenList, ZCreatedToken, ZLoginResponse, ZMeResponse, ZTotpSecret, type CreateTokenBody, type LoginBody } from '@betang/core';
import type { ApiClient } from './http-client';


/** POST /auth/login: session cookie plus `{user, csrfToken}`. */
export const login = (api: ApiClient, body: LoginBody) => api.request('POST', '/auth/login', { body, response: ZLoginResponse });
/** POST /auth/logout: ends the session. */
export const logout = (api: ApiClient) => api.request('POST', '/auth/logout');
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
export const enableTotp = (api: ApiClient, body: { secret: string; code: string; password: string; currentCode?: string }) => api.request('POST', '/me/totp', { body });
