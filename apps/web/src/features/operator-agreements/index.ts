import { DATA_CENTER_ROLES, Role } from '@betang/core';
import type { Feature } from '../feature';

/** Agreements on the operator side (dc_head reaches the list through the portal's /agreements nav entry): list all, generate new ones (reading and signing live at /agreements/:id). */
export const operatorAgreementsFeature: Feature = {
  id: 'operator-agreements',
  routes: [
    {
      path: '/operator/agreements',
      page: () => import('./operator-agreements.page').then((m) => m.OperatorAgreementsPage),
      roles: DATA_CENTER_ROLES,
    },
  ],
  nav: [
    {
      to: '/operator/agreements',
      labelKey: 'opNav.agreements',
      roles: [Role.Admin, Role.Operator, Role.Auditor],
      order: 55,
      badges: ['agreementsAwaiting', 'agreementsExpiring'],
    },
  ],
};
