import { ZAgreementLeases, ZLeasePolicy, ZQueuedRun, ZRenewalAnswer, ZVmLease, type LeasePolicy, type RenewalBody } from '@betang/core';
import type { ApiClient } from './http-client';

const vmBase = (vmId: string) => `/vms/${encodeURIComponent(vmId)}/lease`;

/** GET /vms/:id/lease: the agreement covering the VM and, once it ended, the lease step and its days. */
export const getVmLease = (api: ApiClient, vmId: string) => api.request('GET', vmBase(vmId), { response: ZVmLease });
/** GET /agreements/:id/leases: the VMs the agreement covers (or covered until it ended) with their lease. */
export const listAgreementLeases = (api: ApiClient, agreementId: string) =>
  api.request('GET', `/agreements/${encodeURIComponent(agreementId)}/leases`, { response: ZAgreementLeases });
/** POST /agreements/:id/renewal (operators): drafts the next agreement from this one (201 {id, termStart, termEnd}). */
export const draftRenewal = (api: ApiClient, agreementId: string, body: RenewalBody = {}) =>
  api.request('POST', `/agreements/${encodeURIComponent(agreementId)}/renewal`, { body, response: ZRenewalAnswer });
/** POST /vms/:id/lease/extend (operators): a later last day of the grace period. */
export const extendLease = (api: ApiClient, vmId: string, until: string) =>
  api.request('POST', `${vmBase(vmId)}/extend`, { body: { until }, response: ZVmLease });
/** POST /vms/:id/lease/restart (operators): starts a VM its lease stopped, in a new grace period. */
export const restartLeasedVm = (api: ApiClient, vmId: string) =>
  api.request('POST', `${vmBase(vmId)}/restart`, { body: {}, response: ZQueuedRun });
/** POST /vms/:id/lease/cancel-destruction (operators): the stopped VM keeps stopped with no destruction day. */
export const cancelLeaseDestruction = (api: ApiClient, vmId: string) =>
  api.request('POST', `${vmBase(vmId)}/cancel-destruction`, { body: {}, response: ZVmLease });
/** GET /settings/lease-policy: days of grace after an agreement ends, and days stopped before the destruction. */
export const getLeasePolicy = (api: ApiClient) => api.request('GET', '/settings/lease-policy', { response: ZLeasePolicy });
/** PUT /settings/lease-policy (admins). */
export const putLeasePolicy = (api: ApiClient, body: LeasePolicy) =>
  api.request('PUT', '/settings/lease-policy', { body, response: ZLeasePolicy });
