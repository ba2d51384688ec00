import { Role } from '@betang/core';
import type { Feature } from '../feature';

const ADOPTERS = [Role.Admin, Role.Operator];

/** Census of the cluster's VMs Betang does not own, their conflicts, and their adoption (one by one or by CSV). */
export const adoptionFeature: Feature = {
  id: 'adoption',
  routes: [{ path: '/operator/adoption', page: () => import('./adoption.page').then((m) => m.AdoptionPage), roles: ADOPTERS }],
  nav: [{ to: '/operator/adoption', labelKey: 'adoption.nav', roles: ADOPTERS, order: 33 }],
};
