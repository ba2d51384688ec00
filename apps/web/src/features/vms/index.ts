import { Role } from '@betang/core';
import type { Feature } from '../feature';
import { VmsPage } from './vms.page';

const OWNERS = [Role.InstitutionHead, Role.InstitutionStaff] as const;

/** The institution's VMs: state, address, power actions and decommission. */
export const vmsFeature: Feature = {
  id: 'vms',
  routes: [{ path: '/vms', page: VmsPage, roles: OWNERS }],
  nav: [{ to: '/vms', labelKey: 'nav.vms', roles: OWNERS, order: 30 }],
};
