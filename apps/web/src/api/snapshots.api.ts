import { ZSnapshotPolicy, ZSnapshotRunAnswer, ZVmSnapshotList, type SnapshotPolicy, type TakeSnapshotBody } from '@betang/core';
import type { ApiClient } from './http-client';

const base = (vmId: string) => `/vms/${encodeURIComponent(vmId)}/snapshots`;

/** GET /vms/:id/snapshots: the VM's snapshots, the limits, and why its storage cannot snapshot (if known). */
export const listSnapshots = (api: ApiClient, vmId: string) => api.request('GET', base(vmId), { response: ZVmSnapshotList });
/** POST /vms/:id/snapshots: queues a snapshot run (202 {runId, snapshot}). */
export const takeSnapshot = (api: ApiClient, vmId: string, body: TakeSnapshotBody) =>
  api.request('POST', base(vmId), { body, response: ZSnapshotRunAnswer });
/** POST /vms/:id/snapshots/:snapshotId/rollback: queues a rollback run (the VM is started afterwards when it runs now). */
export const rollbackSnapshot = (api: ApiClient, vmId: string, snapshotId: string) =>
  api.request('POST', `${base(vmId)}/${encodeURIComponent(snapshotId)}/rollback`, { body: {}, response: ZSnapshotRunAnswer });
/** DELETE /vms/:id/snapshots/:snapshotId: queues the deletion run. */
export const deleteSnapshot = (api: ApiClient, vmId: string, snapshotId: string) =>
  api.request('DELETE', `${base(vmId)}/${encodeURIComponent(snapshotId)}`, { response: ZSnapshotRunAnswer });
/** GET /settings/snapshot-policy: at most `maxPerVm` snapshots per VM, each kept `maxAgeDays` days. */
export const getSnapshotPolicy = (api: ApiClient) => api.request('GET', '/settings/snapshot-policy', { response: ZSnapshotPolicy });
/** PUT /settings/snapshot-policy (admins). */
export const putSnapshotPolicy = (api: ApiClient, body: SnapshotPolicy) =>
  api.request('PUT', '/settings/snapshot-policy', { body, response: ZSnapshotPolicy });
