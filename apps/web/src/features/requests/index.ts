import { ALL_ROLES, INSTITUTION_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** VPS requests: the form, the list and the live detail (the literal `/new` outranks `/:id`). */
export const requestsFeature: Feature = {
  id: 'requests',
  routes: [
    { path: '/vps-requests/new', page: () => import('./new-request.page').then((m) => m.NewRequestPage), roles: INSTITUTION_ROLES },
    {
      path: '/vps-requests',
      page: () => import('./requests.page').then((m) => m.RequestsPage),
      roles: ALL_ROLES,
      prefetch: ({ api, queryClient }) =>
        void import('../../api/queries').then((q) => queryClient.prefetchQuery(q.requestSearchQuery(api, {}))),
    },
    {
      path: '/vps-requests/:id',
      page: () => import('./request.page').then((m) => m.RequestPage),
      roles: ALL_ROLES,
      prefetch: ({ api, queryClient }, { id = '' }) =>
        void import('../../api/queries').then((q) => queryClient.prefetchQuery(q.requestQuery(api, id))),
    },
  ],
  nav: [
    { to: '/vps-requests/new', labelKey: 'nav.newRequest', roles: INSTITUTION_ROLES, order: 20 },
    { to: '/vps-requests', labelKey: 'nav.requests', roles: INSTITUTION_ROLES, order: 25 },
  ],
};
