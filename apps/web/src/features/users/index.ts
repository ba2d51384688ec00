import { Role } from '@betang/core';
import type { Feature } from '../feature';

/** User management: institution heads for their institution, admins for data-center staff. */
export const usersFeature: Feature = {
  id: 'users',
  routes: [
    { path: '/users', page: () => import('./users.page').then((m) => m.InstitutionUsersPage), roles: [Role.InstitutionHead] },
    { path: '/staff', page: () => import('./users.page').then((m) => m.StaffPage), roles: [Role.Admin] },
  ],
  nav: [
    { to: '/users', labelKey: 'nav.users', roles: [Role.InstitutionHead], order: 80 },
    { to: '/staff', labelKey: 'nav.staff', roles: [Role.Admin], order: 80 },
  ],
};
