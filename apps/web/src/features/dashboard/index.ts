import { ALL_ROLES } from '@betang/core';
import type { Feature } from '../feature';
import { DashboardPage } from './dashboard.page';

/** Home screen of both areas. */
export const dashboardFeature: Feature = {
  id: 'dashboard',
  routes: [{ path: '/', page: DashboardPage }],
  nav: [{ to: '/', labelKey: 'nav.dashboard', roles: ALL_ROLES, order: 10 }],
};
