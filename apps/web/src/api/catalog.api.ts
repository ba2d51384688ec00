import { ZCatalog, ZServiceStandards } from '@betang/core';
import type { ApiClient } from './http-client';
import type { ZPutPresetBody, ZPutTemplateBody } from '@betang/core';
import type { z } from 'zod';

/** GET /catalog: OS templates, size presets and the custom size bounds the request form offers. */
export const getCatalog = (api: ApiClient) => api.request('GET', '/catalog', { response: ZCatalog });
/** GET /settings/service-standards: target hours for approval and minutes for provisioning. */
export const getServiceStandards = (api: ApiClient) => api.request('GET', '/settings/service-standards', { response: ZServiceStandards });

/** PUT /catalog/templates/:id (admin, operator): creates or replaces an OS template (204). */
export const putTemplate = (api: ApiClient, id: string, body: z.input<typeof ZPutTemplateBody>) =>
  api.request('PUT', `/catalog/templates/${encodeURIComponent(id)}`, { body });
/** PUT /catalog/presets/:id (admin, operator): creates or replaces a size preset (204). */
export const putPreset = (api: ApiClient, id: string, body: z.input<typeof ZPutPresetBody>) =>
  api.request('PUT', `/catalog/presets/${encodeURIComponent(id)}`, { body });
