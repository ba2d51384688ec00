import { ZRestoreTest, ZRestoreTestPolicy, ZRestoreTestReport, type RestoreTestPolicy } from '@betang/core';
import { z } from 'zod';
import type { ApiClient } from './http-client';

/** GET /vms/:id/restore-tests: the VM's test restores, newest first. */
export const listVmRestoreTests = (api: ApiClient, id: string) =>
  api.request('GET', `/vms/${encodeURIComponent(id)}/restore-tests`, { response: z.strictObject({ items: z.array(ZRestoreTest) }) });

/** GET /operator/restore-tests?period=YYYY-MM: the month's report (this month without a period). */
export const getRestoreTestReport = (api: ApiClient, period?: string) =>
  api.request('GET', `/operator/restore-tests${period ? `?period=${encodeURIComponent(period)}` : ''}`, { response: ZRestoreTestReport });

/** GET /settings/restore-test-policy: the monthly test-restore schedule. */
export const getRestoreTestPolicy = (api: ApiClient) =>
  api.request('GET', '/settings/restore-test-policy', { response: ZRestoreTestPolicy });
/** PUT /settings/restore-test-policy (admin). */
export const putRestoreTestPolicy = (api: ApiClient, body: RestoreTestPolicy) =>
  api.request('PUT', '/settings/restore-test-policy', { body, response: ZRestoreTestPolicy });
