import { ALL_ROLES, Role } from '@betang/core';
import type { Feature } from '../feature';

/** Server-utilization agreements: read, see who signed, sign in order (institution head, then dc_head). */
export const agreementsFeature: Feature = {
  id: 'agreements',
  routes: [
    {
      path: '/agreements',
      page: () => import('./agreements.page').then((m) => m.AgreementsPage),
      roles: ALL_ROLES,
      prefetch: ({ api, queryClient }) =>
        void import('../../api/queries').then((q) => queryClient.prefetchQuery(q.agreementListQuery(api))),
    },
    {
      path: '/agreements/:id',
      page: () => import('./agreement.page').then((m) => m.AgreementPage),
      roles: ALL_ROLES,
      prefetch: ({ api, queryClient }, { id = '' }) =>
        void import('../../api/queries').then((q) => queryClient.prefetchQuery(q.agreementQuery(api, id))),
    },
  ],
  nav: [{ to: '/agreements', labelKey: 'nav.agreements', roles: [Role.InstitutionHead, Role.InstitutionStaff, Role.DcHead], order: 50 }],
};
