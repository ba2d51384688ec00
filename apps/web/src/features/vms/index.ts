import { Role } from '@betang/core';
import type { Feature } from '../feature';

const OWNERS = [Role.InstitutionHead, Role.InstitutionStaff] as const;

/** The institution's VMs: state, address, power actions and decommission. */
export const vmsFeature: Feature = {
  id: 'vms',
  routes: [
    {
      path: '/vms',
      page: () => import('./vms.page').then((m) => m.VmsPage),
      roles: OWNERS,
      prefetch: ({ api, queryClient }) => void import('../../api/queries').then((q) => queryClient.prefetchQuery(q.vmSearchQuery(api, {}))),
    },
  ],
  nav: [{ to: '/vms', labelKey: 'nav.vms', roles: OWNERS, order: 30 }],
};
