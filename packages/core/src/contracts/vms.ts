import { z } from 'zod';
import { VM_STATES } from '../domain/vm-state';
import { zText } from './common';
import { ZGuestPorts } from './requests';

/** A VM as `GET /vms` and `GET /vms/:id` return it (apps/api/src/routes/vms.routes.ts). */
export const ZVm = z.object({
  id: z.uuid(),
  requestId: z.uuid(),
  institutionId: z.uuid(),
  name: z.string(),
  node: z.string().nullable(),
  vmid: z.number().nullable(),
  ipAddress: z.string().nullable(),
  state: z.enum(VM_STATES),
  cores: z.number(),
  memoryMiB: z.number(),
  diskGiB: z.number(),
  /** TCP ports the guest's firewall opens besides 22 (the request's, updated when a change is applied). */
  ports: z.array(z.number()),
  createdAt: z.string(),
});
export type VmDto = z.infer<typeof ZVm>;

/** `GET /vms` answer (no paging: at most 500, newest first). */
export const ZVmList = z.object({ items: z.array(ZVm) });

/** Power actions of `POST /vms/:id/actions`. */
export const VM_POWER_ACTIONS = ['start', 'shutdown', 'stop', 'reboot'] as const;
export type VmPowerAction = (typeof VM_POWER_ACTIONS)[number];
/** `POST /vms/:id/actions` body. */
export const ZVmActionBody = z.strictObject({ action: z.enum(VM_POWER_ACTIONS) });
/** `POST /vms/:id/decommission` body. */
export const ZDecommissionBody = z.strictObject({ reason: zText({ min: 5, max: 500, multiline: true }) });
/** 202 answer of VM actions: the day-2 run that carries it out (follow it on the request's events). */
export const ZQueuedRun = z.object({ runId: z.uuid() });

/**
 * `POST /vms/:id/resize` body, a change of an active VM: absolute target sizes, grow only
 * (omitted = unchanged); `ports`, the complete new list of TCP ports to open (omitted =
 * unchanged; 22 stays open); `applyAt`, when the worker may apply it — a maintenance window's
 * start (cores and memory need a reboot); omitted = as soon as it is approved.
 */
export const ZResizeBody = z.strictObject({
  cores: z.number().int().min(1).max(128).optional(),
  memoryMiB: z.number().int().min(512).max(1_048_576).optional(),
  diskGiB: z.number().int().min(1).max(16_384).optional(),
  ports: ZGuestPorts.optional(),
  applyAt: z.iso.datetime({ offset: true }).optional(),
});
export type ResizeBody = z.infer<typeof ZResizeBody>;

/** Sizes and open ports of a VM on either side of a change. */
export const ZVmShape = z.object({ cores: z.number(), memoryMiB: z.number(), diskGiB: z.number(), ports: z.array(z.number()) });
export type VmShape = z.infer<typeof ZVmShape>;

/**
 * 202 answer of `POST /vms/:id/resize`: the resize's run and whether it waits for approval
 * (`awaiting_approval`, with the first level that must decide) or was queued at once (the
 * policy auto-approves the size).
 */
export const ZResizeAnswer = ZQueuedRun.extend({
  status: z.enum(['awaiting_approval', 'queued']),
  pendingLevel: z.object({ level: z.number(), name: z.object({ id: z.string(), en: z.string() }), roles: z.array(z.string()) }).nullable(),
});
export type ResizeAnswer = z.infer<typeof ZResizeAnswer>;
