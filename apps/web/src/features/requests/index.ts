import { ALL_ROLES, INSTITUTION_ROLES } from '@betang/core';
import type { Feature } from '../feature';
import { NewRequestPage } from './new-request.page';
import { RequestPage } from './request.page';
import { RequestsPage } from './requests.page';

/** VPS requests: the form, the list and the live detail. `/new` is listed before `/:id` so it wins. */
export const requestsFeature: Feature = {
  id: 'requests',
  routes: [
    { path: '/vps-requests/new', page: NewRequestPage, roles: INSTITUTION_ROLES },
    { path: '/vps-requests', page: RequestsPage, roles: ALL_ROLES },
    { path: '/vps-requests/:id', page: RequestPage, roles: ALL_ROLES },
  ],
  nav: [
    { to: '/vps-requests/new', labelKey: 'nav.newRequest', roles: INSTITUTION_ROLES, order: 20 },
    { to: '/vps-requests', labelKey: 'nav.requests', roles: INSTITUTION_ROLES, order: 25 },
  ],
};
