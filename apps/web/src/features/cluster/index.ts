import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';
import { ClusterPage } from './cluster.page';

/** Cluster nodes, capacity and health (GET /cluster). */
export const clusterFeature: Feature = {
  id: 'cluster',
  routes: [{ path: '/operator/cluster', page: ClusterPage, roles: DATA_CENTER_ROLES }],
  nav: [{ to: '/operator/cluster', labelKey: 'opNav.cluster', roles: DATA_CENTER_ROLES, order: 30 }],
};
