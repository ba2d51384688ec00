import { z } from 'zod';
import { zText } from './common';

/** A node of the Proxmox cluster as the worker last observed it, plus Betang's VMs on it. */
export const ZClusterNode = z.object({
  node: z.string(),
  online: z.boolean(),
  statsVisible: z.boolean(),
  cpuUsage: z.number().nullable(),
  cpuCount: z.number().nullable(),
  memTotalBytes: z.number().nullable(),
  memUsedBytes: z.number().nullable(),
  storages: z.array(
    z.object({
      storage: z.string(),
      shared: z.boolean(),
      available: z.boolean(),
      totalBytes: z.number().optional(),
      usedBytes: z.number().optional(),
    }),
  ),
  betangVms: z.number(),
  observedAt: z.string(),
});

/** One line of the worker's self-check of the Proxmox setup (a privilege on a path, the pool, a storage, a bridge, a template). */
const ZSetupFinding = z.object({
  check: z.enum(['version', 'permission', 'pool', 'storage', 'bridge', 'template', 'vmid-range', 'capacity']),
  level: z.enum(['ok', 'warn', 'error']),
  subject: z.string(),
  message: z.object({ id: z.string(), en: z.string() }),
  fix: z.string().optional(),
});
export type SetupFindingDto = z.infer<typeof ZSetupFinding>;

/** The worker's last self-check (at its start and periodically); null before the first. */
export const ZSetupCheck = z.object({
  checkedAt: z.string(),
  pveVersion: z.string().nullable(),
  problems: z.number(),
  findings: z.array(ZSetupFinding),
});

/** `GET /cluster`: nodes with capacity and health; `stale` when the last observation is old; `setup`: the self-check. */
export const ZCluster = z.object({
  nodes: z.array(ZClusterNode),
  observedAt: z.string().nullable(),
  stale: z.boolean(),
  setup: ZSetupCheck.nullable().optional(),
});

/** One reconciliation finding for operators (nothing is ever destroyed without their decision). */
export const ZReconcileFinding = z.object({
  id: z.uuid(),
  kind: z.enum([
    'orphan_vm',
    'stuck_run',
    'missing_vm',
    'config_drift',
    'no_agreement',
    'cleanup_pending',
    'abandoned_lock',
    'marker_removed',
  ]),
  status: z.enum(['open', 'resolved', 'dismissed']),
  institutionId: z.string().nullable(),
  vmId: z.string().nullable(),
  runId: z.string().nullable(),
  vmid: z.number().nullable(),
  node: z.string().nullable(),
  message: z.object({ id: z.string(), en: z.string() }),
  detail: z.unknown(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});
export type ReconcileFindingDto = z.infer<typeof ZReconcileFinding>;

/** `POST /reconciliation/{id}/dismiss` body: why the finding needs no action (kept in the audit log). */
export const ZDismissFindingBody = z.strictObject({ reason: zText({ min: 5, max: 500, multiline: true }) });
export type DismissFindingBody = z.infer<typeof ZDismissFindingBody>;

/** GET /reconciliation. */
export const ZReconcileFindingList = z.object({ items: z.array(ZReconcileFinding) });
