import {
  ZApprovalPolicy,
  ZBackupPolicy,
  type BackupPolicy,
  ZCustomSizeBounds,
  ZServiceStandards,
  type ApprovalPolicy,
  type CustomSizeBounds,
  type ServiceStandards,
} from '@betang/core';
import type { ApiClient } from './http-client';

/** GET /settings/approval-policy: levels, roles, any/all, thresholds and auto-approval. */
export const getApprovalPolicy = (api: ApiClient) => api.request('GET', '/settings/approval-policy', { response: ZApprovalPolicy });
/** PUT /settings/approval-policy (admin, operator). */
export const putApprovalPolicy = (api: ApiClient, body: ApprovalPolicy) =>
  api.request('PUT', '/settings/approval-policy', { body, response: ZApprovalPolicy });
/** GET /settings/service-standards: target hours to approve and minutes to provision. */
export const getServiceStandardsSetting = (api: ApiClient) =>
  api.request('GET', '/settings/service-standards', { response: ZServiceStandards });
/** PUT /settings/service-standards (admin, operator). */
export const putServiceStandards = (api: ApiClient, body: ServiceStandards) =>
  api.request('PUT', '/settings/service-standards', { body, response: ZServiceStandards });
/** GET /settings/custom-size-bounds: whether custom sizes are allowed, and their min/max. */
export const getCustomSizeBounds = (api: ApiClient) => api.request('GET', '/settings/custom-size-bounds', { response: ZCustomSizeBounds });
/** PUT /settings/custom-size-bounds (admin, operator). */
export const putCustomSizeBounds = (api: ApiClient, body: CustomSizeBounds) =>
  api.request('PUT', '/settings/custom-size-bounds', { body, response: ZCustomSizeBounds });
/** GET /settings/backup-policy: per service class the nightly window, retention and storage. */
export const getBackupPolicy = (api: ApiClient) => api.request('GET', '/settings/backup-policy', { response: ZBackupPolicy });
/** PUT /settings/backup-policy (admin). */
export const putBackupPolicy = (api: ApiClient, body: BackupPolicy) =>
  api.request('PUT', '/settings/backup-policy', { body, response: ZBackupPolicy });
