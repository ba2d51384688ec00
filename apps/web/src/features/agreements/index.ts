import { ALL_ROLES, Role } from '@betang/core';
import type { Feature } from '../feature';
import { AgreementPage } from './agreement.page';
import { AgreementsPage } from './agreements.page';

/** Server-utilization agreements: read, see who signed, sign in order (institution head, then dc_head). */
export const agreementsFeature: Feature = {
  id: 'agreements',
  routes: [
    { path: '/agreements', page: AgreementsPage, roles: ALL_ROLES },
    { path: '/agreements/:id', page: AgreementPage, roles: ALL_ROLES },
  ],
  nav: [{ to: '/agreements', labelKey: 'nav.agreements', roles: [Role.InstitutionHead, Role.InstitutionStaff, Role.DcHead], order: 50 }],
};
