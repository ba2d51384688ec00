import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** Cluster nodes, capacity and health (GET /cluster). */
export const clusterFeature: Feature = {
  id: 'cluster',
  routes: [
    {
      path: '/operator/cluster',
      page: () => import('./cluster.page').then((m) => m.ClusterPage),
      roles: DATA_CENTER_ROLES,
      prefetch: ({ api, queryClient }) => void import('../../api/queries').then((q) => queryClient.prefetchQuery(q.clusterQuery(api))),
    },
  ],
  nav: [{ to: '/operator/cluster', labelKey: 'opNav.cluster', roles: DATA_CENTER_ROLES, order: 30 }],
};
