import { z } from 'zod';
import { REQUEST_STATUSES } from '../domain/request-status';
import { RUN_KINDS, RUN_STATUSES, STEP_STATUSES } from '../domain/run-status';
import { VM_STATES } from '../domain/vm-state';
import { ZVpsRequest } from './requests';

/** Kinds of events on `GET /vps-requests/:id/events` (docs/live-status.md). */
export const REQUEST_EVENT_KINDS = ['snapshot', 'request.status', 'approval', 'run', 'run.step', 'vm', 'address'] as const;
export type RequestEventKind = (typeof REQUEST_EVENT_KINDS)[number];

const envelope = <K extends RequestEventKind, D extends z.ZodType>(kind: K, data: D) =>
  z.object({ id: z.number().int(), requestId: z.uuid(), kind: z.literal(kind), at: z.string(), data });

/** `request.status`: the request's status changed (previousStatus null when it was created). */
const ZRequestStatusEventData = z.object({
  status: z.enum(REQUEST_STATUSES),
  previousStatus: z.enum(REQUEST_STATUSES).nullable(),
  statusReason: z.string().nullable(),
});
/** `approval`: a decision at one level. */
const ZApprovalEventData = z.object({
  approvalId: z.string(),
  level: z.number(),
  decision: z.enum(['approved', 'rejected']),
  by: z.string().nullable(),
  byName: z.string().nullable(),
  role: z.string(),
  comment: z.string().nullable(),
  at: z.string(),
});
/** `run`: a provisioning or day-2 run changed (status, progress, step, error). */
const ZRunEventData = z.object({
  runId: z.uuid(),
  kind: z.enum(RUN_KINDS),
  status: z.enum(RUN_STATUSES),
  attempt: z.number(),
  progress: z.number(),
  currentStep: z.string().nullable(),
  error: z.object({ code: z.string().nullable(), message: z.string(), retryable: z.boolean().nullable() }).nullable(),
});
/** `run.step`: one step of a run changed. */
const ZRunStepEventData = z.object({
  runId: z.uuid(),
  key: z.string(),
  position: z.number(),
  status: z.enum(STEP_STATUSES),
  attempt: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  detail: z.string().nullable(),
});
/** `vm`: the request's VM changed (state, node, vmid). */
const ZVmEventData = z.object({
  vmId: z.uuid(),
  state: z.enum(VM_STATES),
  node: z.string().nullable(),
  vmid: z.number().nullable(),
  name: z.string().nullable(),
});
/** `address`: an address was allocated to the request or released. */
const ZAddressEventData = z.object({
  allocationId: z.string(),
  address: z.string(),
  held: z.boolean(),
  vmId: z.string().nullable(),
  releaseReason: z.string().nullable(),
});

/** One SSE message's JSON (`data:` line), discriminated by `kind`. */
export const ZRequestEvent = z.discriminatedUnion('kind', [
  envelope('snapshot', ZVpsRequest),
  envelope('request.status', ZRequestStatusEventData),
  envelope('approval', ZApprovalEventData),
  envelope('run', ZRunEventData),
  envelope('run.step', ZRunStepEventData),
  envelope('vm', ZVmEventData),
  envelope('address', ZAddressEventData),
]);
export type RequestEvent = z.infer<typeof ZRequestEvent>;
