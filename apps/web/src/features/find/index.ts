import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** Find anything: the data center's VMs in one filtered table (the lists' filters live with each list). */
export const findFeature: Feature = {
  id: 'find',
  routes: [{ path: '/operator/vms', page: () => import('./operator-vms.page').then((m) => m.OperatorVmsPage), roles: DATA_CENTER_ROLES }],
  nav: [{ to: '/operator/vms', labelKey: 'find.navVms', roles: DATA_CENTER_ROLES, order: 35 }],
};
