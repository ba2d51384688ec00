import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';
import { InstitutionPage } from './institution.page';
import { InstitutionsPage } from './institutions.page';

/** Institutions and their quotas for data-center staff (admins also add institutions). */
export const institutionsFeature: Feature = {
  id: 'institutions',
  routes: [
    { path: '/institutions', page: InstitutionsPage, roles: DATA_CENTER_ROLES },
    { path: '/institutions/:id', page: InstitutionPage, roles: DATA_CENTER_ROLES },
  ],
  nav: [{ to: '/institutions', labelKey: 'opNav.institutions', roles: DATA_CENTER_ROLES, order: 40 }],
};
