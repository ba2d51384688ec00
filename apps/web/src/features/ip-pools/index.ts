import { Role } from '@betang/core';
import type { Feature } from '../feature';

const READERS = [Role.Admin, Role.Operator, Role.DcHead, Role.Auditor];

/** IP address pools (GET/POST /ip-pools). */
export const ipPoolsFeature: Feature = {
  id: 'ip-pools',
  routes: [{ path: '/operator/ip-pools', page: () => import('./ip-pools.page').then((m) => m.IpPoolsPage), roles: READERS }],
  nav: [{ to: '/operator/ip-pools', labelKey: 'opNav.ipPools', roles: READERS, order: 45 }],
};
