import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** The provisioning board (GET /operator/queue running + failed, polled). */
export const provisioningBoardFeature: Feature = {
  id: 'provisioning-board',
  routes: [
    {
      path: '/operator/provisioning',
      page: () => import('./provisioning-board.page').then((m) => m.ProvisioningBoardPage),
      roles: DATA_CENTER_ROLES,
    },
  ],
  nav: [
    {
      to: '/operator/provisioning',
      labelKey: 'opNav.provisioning',
      roles: DATA_CENTER_ROLES,
      order: 22,
      badges: ['provisioning', 'failed'],
    },
  ],
};
