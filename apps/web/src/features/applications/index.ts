import { Role } from '@betang/core';
import type { Feature } from '../feature';

const WRITERS = [Role.InstitutionHead, Role.InstitutionStaff] as const;

/** The SPBE application inventory (institution staff and heads). */
export const applicationsFeature: Feature = {
  id: 'applications',
  routes: [{ path: '/applications', page: () => import('./applications.page').then((m) => m.ApplicationsPage), roles: WRITERS }],
  nav: [{ to: '/applications', labelKey: 'nav.applications', roles: WRITERS, order: 40 }],
};
