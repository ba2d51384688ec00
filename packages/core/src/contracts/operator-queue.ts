import { z } from 'zod';
import { ZServiceStandards } from './catalog';
import { ZVmShape } from './vms';

const ZQueueItem = z.object({
  requestId: z.uuid(),
  institutionId: z.uuid(),
  institutionName: z.string(),
  hostname: z.string(),
  status: z.string(),
  since: z.string(),
  ageMinutes: z.number(),
  targetMinutes: z.number(),
  overdue: z.boolean(),
});

/** `GET /operator/queue`: what operators must act on, oldest first, against the service standard. */
export const ZOperatorQueue = z.object({
  serviceStandards: ZServiceStandards,
  /**
   * Requests awaiting a decision and pending changes (`kind: 'resize'`, or `'restore'` for an
   * in-place restore from a backup; status `awaiting_approval`, with the change's run); all are
   * decided on the request (`POST /vps-requests/:id/approve|reject`). `kind` absent = request.
   */
  pendingApprovals: z.array(
    ZQueueItem.extend({
      kind: z.enum(['request', 'resize', 'restore']).optional(),
      runId: z.uuid().optional(),
      /** A change's before → after (sizes and open ports) and when it may be applied (null: once approved). */
      change: z.object({ before: ZVmShape, after: ZVmShape, applyAt: z.string().nullable() }).optional(),
    }),
  ),
  running: z.array(ZQueueItem.extend({ runId: z.uuid(), currentStep: z.string().nullable(), progress: z.number(), attempt: z.number() })),
  failed: z.array(
    ZQueueItem.extend({ runId: z.uuid(), errorCode: z.string().nullable(), errorMessage: z.string(), retryable: z.boolean().nullable() }),
  ),
});
export type OperatorQueueDto = z.infer<typeof ZOperatorQueue>;

/** Allocated against physical for one resource: `ratio` = allocated / physical (null when the physical size is unknown). */
const ZCapacityFigure = z.object({ allocated: z.number(), physical: z.number().nullable(), ratio: z.number().nullable() });

/** One node's capacity, or the cluster's total: Betang's VMs' sizes against what the node has. */
const ZNodeCapacity = z.object({
  node: z.string(),
  online: z.boolean(),
  vms: z.number(),
  cores: ZCapacityFigure,
  memoryMiB: ZCapacityFigure,
  /**
   * Disks of Betang's VMs (GiB) against the size PVE reports for the storages that hold VM
   * images (content `images`); a node counts its own and the shared ones, the total counts each
   * shared storage once.
   */
  diskGiB: ZCapacityFigure,
  /** True when an allocation exceeds the physical size (overcommitted). */
  overcommitted: z.boolean(),
});

/**
 * `GET /operator/dashboard`: the counts an operator acts on, each the size of a filtered list the
 * web links to — waiting for approval (and past the service standard), provisioning now, failed
 * and needing action, agreements waiting for the data-center head and in force but expiring
 * within `agreements.expiringWithinDays`, open reconciliation findings — and the capacity per
 * node and in total from the last cluster snapshot.
 */
export const ZOperatorDashboard = z.object({
  generatedAt: z.string(),
  serviceStandards: ZServiceStandards,
  approvals: z.object({ waiting: z.number(), overdue: z.number() }),
  provisioning: z.object({ running: z.number() }),
  failed: z.object({ needingAction: z.number() }),
  agreements: z.object({ awaitingDcHead: z.number(), expiringSoon: z.number(), expiringWithinDays: z.number() }),
  findings: z.object({ open: z.number() }),
  capacity: z.object({
    observedAt: z.string().nullable(),
    nodes: z.array(ZNodeCapacity),
    total: ZNodeCapacity.omit({ node: true, online: true }),
  }),
});
export type OperatorDashboardDto = z.infer<typeof ZOperatorDashboard>;
