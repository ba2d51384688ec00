import { DATA_CENTER_ROLES, Role } from '@betang/core';
import type { Feature } from '../feature';

/** The responsible person (PIC) of each VM: the head's hand-over page and the operators' report. */
export const picFeature: Feature = {
  id: 'pic',
  routes: [
    { path: '/pic', page: () => import('./pic.page').then((m) => m.PicPage), roles: [Role.InstitutionHead] },
    { path: '/pic/:institutionId', page: () => import('./pic.page').then((m) => m.PicPage), roles: [Role.Admin, Role.Operator] },
    { path: '/operator/pic', page: () => import('./pic-report.page').then((m) => m.PicReportPage), roles: DATA_CENTER_ROLES },
  ],
  nav: [
    { to: '/pic', labelKey: 'pic.nav', roles: [Role.InstitutionHead], order: 35 },
    { to: '/operator/pic', labelKey: 'pic.reportNav', roles: DATA_CENTER_ROLES, order: 58 },
  ],
};
