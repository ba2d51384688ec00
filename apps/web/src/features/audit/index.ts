import { DATA_CENTER_ROLES, Role } from '@betang/core';
import type { Feature } from '../feature';
import { AuditLogPage } from './audit-log.page';

const AUDIT_READERS = [...DATA_CENTER_ROLES, Role.InstitutionHead];

/** The audit log (same roles as GET /audit-log). */
export const auditFeature: Feature = {
  id: 'audit',
  routes: [{ path: '/audit', page: AuditLogPage, roles: AUDIT_READERS }],
  nav: [{ to: '/audit', labelKey: 'nav.audit', roles: AUDIT_READERS, order: 90 }],
};
