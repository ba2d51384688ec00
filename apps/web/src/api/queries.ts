import { queryOptions } from '@tanstack/react-query';
import { getAgreement, listAgreements } from './agreements.api';
import { getApplication, listApplications, listApplicationsOfInstitution } from './applications.api';
import { listAudit, type AuditFilter } from './audit.api';
import { getCatalog, getServiceStandards } from './catalog.api';
import { getCluster } from './cluster.api';
import type { ApiClient } from './http-client';
import { getInstitution, getQuota, listInstitutions, listUsers, type UserScope } from './institutions.api';
import { listIpPools } from './ip-pools.api';
import { getOperatorQueue } from './operator-queue.api';
import { queryKeys } from './query-keys';
import { listFindings, type FindingStatus } from './reconciliation.api';
import { listTokens } from './session.api';
import { verifyCode } from './verify.api';
import { findVms, getVm, listVms, type VmFilter } from './vms.api';
import { findRequests, getRequest, listRequests, type RequestFilter } from './vps-requests.api';

// One factory per server read: the key and the fetch always travel together, so a route loader
// that prefetches and the page that renders can never disagree about the cache entry.

/** The institution's (operators: all) VPS requests, first page. */
export const requestListQuery = (api: ApiClient) => queryOptions({ queryKey: queryKeys.requestList(), queryFn: () => listRequests(api) });
/** The first page of the requests matching a filter (the list page). */
export const requestSearchQuery = (api: ApiClient, filter: RequestFilter) =>
  queryOptions({ queryKey: queryKeys.requestSearch(filter), queryFn: () => findRequests(api, filter) });
/** One VPS request. */
export const requestQuery = (api: ApiClient, id: string) =>
  queryOptions({ queryKey: queryKeys.request(id), queryFn: () => getRequest(api, id) });
/** The VMs the caller may see. */
export const vmListQuery = (api: ApiClient) => queryOptions({ queryKey: queryKeys.vms, queryFn: () => listVms(api) });
/** The VMs matching a filter (the VM page; at most 500, newest first). */
export const vmSearchQuery = (api: ApiClient, filter: VmFilter) =>
  queryOptions({ queryKey: queryKeys.vmSearch(filter), queryFn: () => findVms(api, filter) });
/** One VM. */
export const vmQuery = (api: ApiClient, id: string) => queryOptions({ queryKey: queryKeys.vm(id), queryFn: () => getVm(api, id) });
/** Institutions, first page. */
export const institutionListQuery = (api: ApiClient) =>
  queryOptions({ queryKey: queryKeys.institutionList(), queryFn: () => listInstitutions(api) });
/** One institution. */
export const institutionQuery = (api: ApiClient, id: string) =>
  queryOptions({ queryKey: queryKeys.institution(id), queryFn: () => getInstitution(api, id) });
/** An institution's quota with its current usage. */
export const quotaQuery = (api: ApiClient, institutionId: string) =>
  queryOptions({ queryKey: queryKeys.quota(institutionId), queryFn: () => getQuota(api, institutionId) });
/** Users of one institution, or the data-center staff. */
export const userListQuery = (api: ApiClient, scope: UserScope, q = '') =>
  queryOptions({ queryKey: queryKeys.users(scope, q), queryFn: () => listUsers(api, scope, undefined, q || undefined) });
/** Agreements, optionally of one status. */
export const agreementListQuery = (api: ApiClient, status?: string) =>
  queryOptions({ queryKey: queryKeys.agreementList(status), queryFn: () => listAgreements(api, status) });
/** One agreement with its signatures. */
export const agreementQuery = (api: ApiClient, id: string) =>
  queryOptions({ queryKey: queryKeys.agreement(id), queryFn: () => getAgreement(api, id) });
/** The caller's application inventory. */
export const applicationListQuery = (api: ApiClient, q = '') =>
  queryOptions({ queryKey: queryKeys.applicationList(q), queryFn: () => listApplications(api, undefined, q || undefined) });
/** One application. */
export const applicationQuery = (api: ApiClient, id: string) =>
  queryOptions({ queryKey: queryKeys.application(id), queryFn: () => getApplication(api, id) });
/** One institution's applications (data-center roles). */
export const applicationsOfInstitutionQuery = (api: ApiClient, institutionId: string) =>
  queryOptions({
    queryKey: queryKeys.applicationsOfInstitution(institutionId),
    queryFn: () => listApplicationsOfInstitution(api, institutionId),
  });
/** The operator queue: pending approvals, running and failed runs. */
export const operatorQueueQuery = (api: ApiClient) =>
  queryOptions({ queryKey: queryKeys.operatorQueue, queryFn: () => getOperatorQueue(api) });
/** IP pools. */
export const ipPoolListQuery = (api: ApiClient) => queryOptions({ queryKey: queryKeys.ipPools, queryFn: () => listIpPools(api) });
/** The cluster snapshot. */
export const clusterQuery = (api: ApiClient) => queryOptions({ queryKey: queryKeys.cluster, queryFn: () => getCluster(api) });
/** Reconciliation findings of one status. */
export const findingListQuery = (api: ApiClient, status: FindingStatus) =>
  queryOptions({ queryKey: queryKeys.reconciliation(status), queryFn: () => listFindings(api, status) });
/** The audit log's first page for a filter. */
export const auditQuery = (api: ApiClient, filter: AuditFilter) =>
  queryOptions({ queryKey: queryKeys.audit(filter), queryFn: () => listAudit(api, filter) });
/** The caller's API tokens. */
export const tokenListQuery = (api: ApiClient) => queryOptions({ queryKey: queryKeys.tokens, queryFn: () => listTokens(api) });
/** The catalog of templates, presets and custom size bounds. */
export const catalogQuery = (api: ApiClient) => queryOptions({ queryKey: queryKeys.catalog, queryFn: () => getCatalog(api) });
/** The service standards (approval hours, provisioning minutes). */
export const serviceStandardsQuery = (api: ApiClient) =>
  queryOptions({ queryKey: queryKeys.serviceStandards, queryFn: () => getServiceStandards(api) });
/** The public verification of an agreement's QR code. */
export const verificationQuery = (api: ApiClient, code: string) =>
  queryOptions({ queryKey: queryKeys.verification(code), queryFn: () => verifyCode(api, code) });
