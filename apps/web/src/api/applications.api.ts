import {
  ZApplication,
  ZApplicationImportResult,
  zPage,
  type CreateApplicationBody,
  type Locale,
  type UpdateApplicationBody,
} from '@betang/core';
import type { ApiClient } from './http-client';
import { uploadRaw } from './verify.api';

const ZApplicationPage = zPage(ZApplication);

/** GET /applications (own institution; data-center roles may filter by institution). */
export const listApplications = (api: ApiClient, cursor?: string, q?: string) =>
  api.request('GET', '/applications', { query: { limit: 200, cursor, ...(q ? { q } : {}) }, response: ZApplicationPage });
/** GET /applications/:id. */
export const getApplication = (api: ApiClient, id: string) =>
  api.request('GET', `/applications/${encodeURIComponent(id)}`, { response: ZApplication });
/** POST /applications. */
export const createApplication = (api: ApiClient, body: CreateApplicationBody) =>
  api.request('POST', '/applications', { body, response: ZApplication });
/** PATCH /applications/:id. */
export const updateApplication = (api: ApiClient, id: string, body: UpdateApplicationBody) =>
  api.request('PATCH', `/applications/${encodeURIComponent(id)}`, { body, response: ZApplication });
/** DELETE /applications/:id (409 when a request or agreement uses it). */
export const deleteApplication = (api: ApiClient, id: string) => api.request('DELETE', `/applications/${encodeURIComponent(id)}`);

/** Address of the CSV export (a plain download link: the session cookie goes with it). */
export const APPLICATIONS_EXPORT_URL = '/api/v1/applications/export.csv';

/** POST /applications/import?dryRun=…: a dry run reports every row error and writes nothing. */
export const importApplications = (api: ApiClient, csv: string, dryRun: boolean, locale: Locale) =>
  uploadRaw(api, {
    path: `/applications/import?dryRun=${dryRun}`,
    body: csv,
    contentType: 'text/csv',
    locale,
    response: ZApplicationImportResult,
    signedIn: true,
  });

/** GET /applications?institutionId=… (data-center roles): one institution's inventory, e.g. for a new agreement. */
export const listApplicationsOfInstitution = (api: ApiClient, institutionId: string) =>
  api.request('GET', '/applications', { query: { institutionId, limit: 200 }, response: ZApplicationPage });
