import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** Institutions and their quotas for data-center staff (admins also add institutions). */
export const institutionsFeature: Feature = {
  id: 'institutions',
  routes: [
    { path: '/institutions', page: () => import('./institutions.page').then((m) => m.InstitutionsPage), roles: DATA_CENTER_ROLES },
    {
      path: '/institutions/:id',
      page: () => import('./institution.page').then((m) => m.InstitutionPage),
      roles: DATA_CENTER_ROLES,
      prefetch: ({ api, queryClient }, { id = '' }) =>
        void import('../../api/queries').then((q) => queryClient.prefetchQuery(q.institutionQuery(api, id))),
    },
  ],
  nav: [{ to: '/institutions', labelKey: 'opNav.institutions', roles: DATA_CENTER_ROLES, order: 40 }],
};
