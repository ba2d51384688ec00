import { ALL_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** The signed-in person's own account: API tokens and two-factor sign-in. */
export const accountFeature: Feature = {
  id: 'account',
  routes: [
    { path: '/account/tokens', page: () => import('./tokens.page').then((m) => m.TokensPage) },
    { path: '/account/security', page: () => import('./security.page').then((m) => m.SecurityPage) },
  ],
  nav: [
    { to: '/account/tokens', labelKey: 'nav.tokens', roles: ALL_ROLES, order: 100 },
    { to: '/account/security', labelKey: 'nav.security', roles: ALL_ROLES, order: 110 },
  ],
};
