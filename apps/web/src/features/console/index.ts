import { Role } from '@betang/core';
import type { Feature } from '../feature';

/** Who may open a VM's console: the owning institution's people and operators (the API checks the VM's owner). */
export const CONSOLE_ROLES = [Role.InstitutionHead, Role.InstitutionStaff, Role.Operator, Role.Admin] as const;

/** The browser serial console of one VM. */
export const consoleFeature: Feature = {
  id: 'console',
  routes: [
    {
      path: '/vms/:id/console',
      page: () => import('./console.page').then((m) => m.ConsolePage),
      roles: CONSOLE_ROLES,
    },
  ],
  nav: [],
};
