import { ALL_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** Home screen of both areas. */
export const dashboardFeature: Feature = {
  id: 'dashboard',
  routes: [{ path: '/', page: () => import('./dashboard.page').then((m) => m.DashboardPage) }],
  nav: [{ to: '/', labelKey: 'nav.dashboard', roles: ALL_ROLES, order: 10 }],
};
