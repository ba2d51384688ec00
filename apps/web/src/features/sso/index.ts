import { Role } from '@betang/core';
import type { Feature } from '../feature';

/**
 * Single sign-on: the pages a sign-on through the identity provider ends on when it gives no
 * session (waiting for access, refused), and the admin's list of people waiting for access.
 */
export const ssoFeature: Feature = {
  id: 'sso',
  routes: [
    // The paths the API's /auth/oidc/callback redirects to.
    { path: '/sso/pending', page: () => import('./sso-result.page').then((m) => m.SsoPendingPage), public: true },
    { path: '/sso/failed', page: () => import('./sso-result.page').then((m) => m.SsoFailedPage), public: true },
    { path: '/sso/totp', page: () => import('../reauth/sso-totp.page').then((m) => m.SsoTotpPage), public: true },
    { path: '/sso/identities', page: () => import('./sso-identities.page').then((m) => m.SsoIdentitiesPage), roles: [Role.Admin] },
  ],
  nav: [{ to: '/sso/identities', labelKey: 'sso.nav', roles: [Role.Admin], order: 85 }],
};
