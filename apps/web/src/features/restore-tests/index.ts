import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** The monthly test restore report (GET /operator/restore-tests). */
export const restoreTestsFeature: Feature = {
  id: 'restore-tests',
  routes: [
    {
      path: '/operator/restore-tests',
      page: () => import('./restore-tests.page').then((m) => m.RestoreTestsPage),
      roles: DATA_CENTER_ROLES,
    },
  ],
  nav: [{ to: '/operator/restore-tests', labelKey: 'opNav.restoreTests', roles: DATA_CENTER_ROLES, order: 34 }],
};
