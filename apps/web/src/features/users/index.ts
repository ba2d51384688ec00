import { Role } from '@betang/core';
import type { Feature } from '../feature';
import { InstitutionUsersPage, StaffPage } from './users.page';

/** User management: institution heads for their institution, admins for data-center staff. */
export const usersFeature: Feature = {
  id: 'users',
  routes: [
    { path: '/users', page: InstitutionUsersPage, roles: [Role.InstitutionHead] },
    { path: '/staff', page: StaffPage, roles: [Role.Admin] },
  ],
  nav: [
    { to: '/users', labelKey: 'nav.users', roles: [Role.InstitutionHead], order: 80 },
    { to: '/staff', labelKey: 'nav.staff', roles: [Role.Admin], order: 80 },
  ],
};
