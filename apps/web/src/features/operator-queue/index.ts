import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** The operators' approval queue (GET /operator/queue). */
export const operatorQueueFeature: Feature = {
  id: 'operator-queue',
  routes: [
    { path: '/operator/queue', page: () => import('./approval-queue.page').then((m) => m.ApprovalQueuePage), roles: DATA_CENTER_ROLES },
  ],
  nav: [{ to: '/operator/queue', labelKey: 'opNav.queue', roles: DATA_CENTER_ROLES, order: 20, badges: ['approvals', 'overdue'] }],
};
