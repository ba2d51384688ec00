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
   * Requests awaiting a decision and pending changes (`kind: 'resize'`, status
   * `awaiting_approval`, with the change's run); both are decided on the request
   * (`POST /vps-requests/:id/approve|reject`). `kind` absent = request.
   */
  pendingApprovals: z.array(
    ZQueueItem.extend({
      kind: z.enum(['request', 'resize']).optional(),
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
