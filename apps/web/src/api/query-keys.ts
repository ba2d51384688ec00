import type { FindingStatus } from './reconciliation.api';
import type { AuditFilter } from './audit.api';
import type { UserScope } from './institutions.api';

/**
 * Every server-state cache key of the app, in one place. Each key starts with its resource
 * (`['vps-requests', …]`), so invalidating the first element refreshes the lists and the details
 * of that resource together; live events and mutations name these keys, never literal arrays.
 */
export const queryKeys = {
  requests: ['vps-requests'] as const,
  requestList: () => ['vps-requests', 'list'] as const,
  // Under requestList(): the live events that refresh the list refresh every filtered view of it.
  requestSearch: (filter: object) => ['vps-requests', 'list', 'search', filter] as const,
  request: (id: string) => ['vps-requests', 'detail', id] as const,
  requestChecks: (id: string) => ['vps-requests', 'checks', id] as const,
  requestPrecheck: (query: object) => ['vps-requests', 'precheck', query] as const,
  requestQueue: (id: string) => ['vps-requests', 'queue', id] as const,
  newRequestData: (institutionId: string) => ['vps-requests', 'new-form', institutionId] as const,
  vms: ['vms'] as const,
  vm: (id: string) => ['vms', id] as const,
  vmSearch: (filter: object) => ['vms', 'list', filter] as const,
  institutions: ['institutions'] as const,
  institutionList: () => ['institutions', 'list'] as const,
  institution: (id: string) => ['institutions', 'detail', id] as const,
  quotas: ['quota'] as const,
  quota: (institutionId: string) => ['quota', institutionId] as const,
  users: (scope: UserScope, q = '') => ['users', scope.institutionId ?? 'staff', q] as const,
  agreements: ['agreements'] as const,
  agreementList: (status?: string) => ['agreements', 'list', status ?? 'all'] as const,
  agreement: (id: string) => ['agreements', 'detail', id] as const,
  applications: ['applications'] as const,
  applicationList: (q = '') => ['applications', 'list', q] as const,
  application: (id: string) => ['applications', 'detail', id] as const,
  applicationsOfInstitution: (institutionId: string) => ['applications', 'of-institution', institutionId] as const,
  operatorQueue: ['operator-queue'] as const,
  approvalQueue: ['operator-queue', 'approvals'] as const,
  operatorDashboard: ['operator-queue', 'dashboard'] as const,
  ipPools: ['ip-pools'] as const,
  poolAddresses: (poolId: string, status: string) => ['ip-pools', 'addresses', poolId, status] as const,
  cluster: ['cluster'] as const,
  reconciliation: (status: FindingStatus) => ['reconciliation', status] as const,
  audit: (filter: AuditFilter) => ['audit', filter] as const,
  tokens: ['tokens'] as const,
  catalog: ['catalog'] as const,
  settings: ['settings'] as const,
  serviceStandards: ['settings', 'service-standards'] as const,
  verification: (code: string) => ['verify', code] as const,
  ssoStatus: ['sso', 'status'] as const,
  ssoPending: ['sso', 'pending'] as const,
};
