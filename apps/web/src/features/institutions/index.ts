import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';
import { InstitutionPage } from './institution.page';

/** Institutions for data-center staff (the list lives on the console dashboard). */
export const institutionsFeature: Feature = {
  id: 'institutions',
  routes: [{ path: '/institutions/:id', page: InstitutionPage, roles: DATA_CENTER_ROLES }],
  nav: [],
};
