import { ZAdoptResult, ZEstateImportResult, ZEstateList, ZEstateVm, type EstateDecisionsDto, type Locale, ZQueuedRun } from '@betang/core';
import type { ApiClient } from './http-client';
import { uploadRaw } from './verify.api';

/** GET /estate: the census of VMs Betang does not own, with proposals and conflicts. */
export const listEstate = (api: ApiClient) => api.request('GET', '/estate', { response: ZEstateList });

/** POST /estate/census: asks the worker for a new census (answered 202; the list refreshes when it is done). */
export const requestCensus = (api: ApiClient) => api.request('POST', '/estate/census', { body: {} });

/** POST /estate/:vmid/decisions: the operator's decisions on a VM's conflicts. */
export const decideEstate = (api: ApiClient, vmid: number, decisions: EstateDecisionsDto) =>
  api.request('POST', `/estate/${vmid}/decisions`, { body: decisions, response: ZEstateVm });

/** POST /estate/:vmid/adopt: adopts the VM under the institution and application. */
export const adoptEstateVm = (api: ApiClient, vmid: number, body: { institutionId: string; applicationId: string }) =>
  api.request('POST', `/estate/${vmid}/adopt`, { body, response: ZAdoptResult });

/**
 * Address of the census mapping export in `locale` (a plain download link: the session cookie goes
 * with it, but the browser's own Accept-Language would, not the app's language).
 */
export const estateExportUrl = (locale: Locale) => `/api/v1/estate/export.csv?lang=${locale}`;

/** POST /estate/import?dryRun=…: a dry run checks every row and adopts nothing. */
export const importEstate = (api: ApiClient, csv: string, dryRun: boolean, locale: Locale) =>
  uploadRaw(api, {
    path: `/estate/import?dryRun=${dryRun}`,
    body: csv,
    contentType: 'text/csv',
    locale,
    response: ZEstateImportResult,
    signedIn: true,
  });

/** POST /vms/:id/release: a `release` run takes Betang's marker off an adopted VM (the VM stays as it is). */
export const releaseAdoptedVm = (api: ApiClient, vmId: string, reason: string) =>
  api.request('POST', `/vms/${encodeURIComponent(vmId)}/release`, { body: { reason }, response: ZQueuedRun });
