import {
  ZDecommissionAnswer,
  ZQueuedRun,
  ZResizeAnswer,
  ZRestoreAnswer,
  ZVm,
  ZVmList,
  type ReplaceSshKeysBody,
  type SetConsolePasswordBody,
  ZConsolePasswordAnswer,
  ZVmBackupList,
  ZBackupRestoreAnswer,
  type RestoreBackupBody,
  type ResizeBody,
  type VmPowerAction,
} from '@betang/core';
import type { ApiClient } from './http-client';

/** GET /vms: VMs of the own institution (operators: all), newest first, decommissioned left out. */
export const listVms = (api: ApiClient) => api.request('GET', '/vms', { response: ZVmList });

/** The filters of GET /vms a page sends (empty ones are left out; `node` only for data-center roles). */
export type VmFilter = Partial<
  Record<'state' | 'institutionId' | 'node' | 'vmid' | 'hostname' | 'address' | 'q' | 'pic' | 'from' | 'to', string>
>;

/** GET /vms filtered, 50 per page from `cursor` (the operators' table). */
export const findVmPage = (api: ApiClient, filter: VmFilter, cursor?: string) =>
  api.request('GET', '/vms', { query: { ...filter, limit: 50, cursor }, response: ZVmList });
/** GET /vms filtered (first page: at most 500, newest first). */
export const findVms = (api: ApiClient, filter: VmFilter) => api.request('GET', '/vms', { query: { ...filter }, response: ZVmList });
/** GET /vms/:id. */
export const getVm = (api: ApiClient, id: string) => api.request('GET', `/vms/${encodeURIComponent(id)}`, { response: ZVm });
/** POST /vms/:id/actions: queues a power action as a run (202 {runId}). */
export const powerVm = (api: ApiClient, id: string, action: VmPowerAction) =>
  api.request('POST', `/vms/${encodeURIComponent(id)}/actions`, { body: { action }, response: ZQueuedRun });
/** POST /vms/:id/decommission: with the host name typed again; the VM is retained for the grace period, or waits for the institution head. */
export const decommissionVm = (api: ApiClient, id: string, body: { reason: string; confirmHostname: string }) =>
  api.request('POST', `/vms/${encodeURIComponent(id)}/decommission`, { body, response: ZDecommissionAnswer });
/** POST /vms/:id/decommission/approve|reject: the head's decision (reject also withdraws one's own). */
export const decideDecommission = (api: ApiClient, id: string, decision: 'approve' | 'reject') =>
  api.request('POST', `/vms/${encodeURIComponent(id)}/decommission/${decision}`, { body: {}, response: ZDecommissionAnswer });
/** POST /vms/:id/restore: a retained VM back within its grace period (202 {runId} of the start run). */
export const restoreVm = (api: ApiClient, id: string) =>
  api.request('POST', `/vms/${encodeURIComponent(id)}/restore`, { body: {}, response: ZRestoreAnswer });
/** POST /vms/:id/resize: asks for a change (grow sizes, open ports, when) through approval (202 {runId, status, pendingLevel}). */
export const changeVm = (api: ApiClient, id: string, body: ResizeBody) =>
  api.request('POST', `/vms/${encodeURIComponent(id)}/resize`, { body, response: ZResizeAnswer });
/** POST /vms/:id/ssh-keys: replaces the admin user's SSH keys through the guest agent, with re-authentication (202 {runId}). */
export const replaceVmSshKeys = (api: ApiClient, id: string, body: ReplaceSshKeysBody) =>
  api.request('POST', `/vms/${encodeURIComponent(id)}/ssh-keys`, { body, response: ZQueuedRun });
/** GET /vms/:id/backups: the VM's recorded backups (newest first) and its class's backup policy. */
export const listVmBackups = (api: ApiClient, id: string) =>
  api.request('GET', `/vms/${encodeURIComponent(id)}/backups`, { response: ZVmBackupList });
/** POST /vms/:id/console-password: queues setting the admin user's console password (re-authenticated). */
export const setVmConsolePassword = (api: ApiClient, id: string, body: SetConsolePasswordBody) =>
  api.request('POST', `/vms/${encodeURIComponent(id)}/console-password`, { body, response: ZConsolePasswordAnswer });
/** POST /vms/:id/backups/:backupId/restore: restores a backup over the VM, confirmed (202 {runId, status}: queued or awaiting approval). */
export const restoreVmBackup = (api: ApiClient, id: string, backupId: string, body: RestoreBackupBody) =>
  api.request('POST', `/vms/${encodeURIComponent(id)}/backups/${encodeURIComponent(backupId)}/restore`, {
    body,
    response: ZBackupRestoreAnswer,
  });
