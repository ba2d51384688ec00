import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** Reconciliation findings (GET /reconciliation, dismiss with a reason). */
export const reconciliationFeature: Feature = {
  id: 'reconciliation',
  routes: [
    {
      path: '/operator/reconciliation',
      page: () => import('./reconciliation.page').then((m) => m.ReconciliationPage),
      roles: DATA_CENTER_ROLES,
    },
  ],
  nav: [{ to: '/operator/reconciliation', labelKey: 'opNav.reconciliation', roles: DATA_CENTER_ROLES, order: 32, badges: ['findings'] }],
};
