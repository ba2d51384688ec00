import {
  ZLoginResponse,
  ZOidcIdentity,
  ZOidcReauthStart,
  ZOidcStatus,
  ZUser,
  zPage,
  type AssignOidcIdentityBody,
  type SsoTotpBody,
} from '@betang/core';
import type { ApiClient } from './http-client';

/** The address that starts single sign-on: a full-page navigation to the API, which redirects to the identity provider. */
export const SSO_START_PATH = '/api/v1/auth/oidc/start';

/** GET /auth/oidc: whether single sign-on is configured. */
export const getSsoStatus = (api: ApiClient) => api.request('GET', '/auth/oidc', { response: ZOidcStatus });
/** GET /sso/identities: people who signed in through the provider and wait for access (admin). */
export const listPendingIdentities = (api: ApiClient, cursor?: string) =>
  api.request('GET', '/sso/identities', { query: { limit: 100, cursor }, response: zPage(ZOidcIdentity) });
/** POST /sso/identities/:id/assign: a new user for the person, or a link to an existing user (admin). */
export const assignIdentity = (api: ApiClient, id: string, body: AssignOidcIdentityBody) =>
  api.request('POST', `/sso/identities/${encodeURIComponent(id)}/assign`, { body, response: ZUser });
/** POST /auth/oidc/reauth: the provider's login page for signing in again; the API sends the browser back to `returnTo`. */
export const startSsoReauth = (api: ApiClient, returnTo: string) =>
  api.request('POST', '/auth/oidc/reauth', { body: { returnTo }, response: ZOidcReauthStart });
/** POST /auth/oidc/totp: Betang's TOTP code after a one-factor login at the provider; opens the session. */
export const finishSsoTotp = (api: ApiClient, body: SsoTotpBody) =>
  api.request('POST', '/auth/oidc/totp', { body, response: ZLoginResponse });
