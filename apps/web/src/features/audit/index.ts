import { DATA_CENTER_ROLES, Role } from '@betang/core';
import type { Feature } from '../feature';

const AUDIT_READERS = [...DATA_CENTER_ROLES, Role.InstitutionHead];

/** The audit log (same roles as GET /audit-log). */
export const auditFeature: Feature = {
  id: 'audit',
  routes: [{ path: '/audit', page: () => import('./audit-log.page').then((m) => m.AuditLogPage), roles: AUDIT_READERS }],
  nav: [{ to: '/audit', labelKey: 'nav.audit', roles: AUDIT_READERS, order: 90 }],
};
