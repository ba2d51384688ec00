import { z } from 'zod';
import { PIC_PROBLEMS } from '../domain/pic';
import { VM_STATES } from '../domain/vm-state';
import { DATA_CLASSIFICATIONS } from './applications';
import { zText } from './common';
import { ZPublicEndpoint } from './public-endpoint';
import { DAY_RANGE_ISSUE, FIND_DAY_RANGE, ZFindText, dayRangeInOrder, zFindPage } from './find';
import { ZGuestPorts, ZSshPublicKeyList } from './requests';

/** A decommission waiting for the institution head (`vm_decommissions` row `awaiting_approval`). */
const ZPendingDecommission = z.object({
  id: z.uuid(),
  requestedBy: z.uuid(),
  requestedByName: z.string(),
  reason: z.string(),
  createdAt: z.string(),
});

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
  /** Set while the VM is `retained`: the moment the grace period ends and it is destroyed. */
  retainedUntil: z.string().nullable(),
  /** A decommission waiting for the institution head, if any. */
  pendingDecommission: ZPendingDecommission.nullable(),
  /** The public endpoint while the VM holds one (internet access), else null. */
  publicEndpoint: ZPublicEndpoint.nullable().optional(),
  /**
   * The responsible person (docs/pic.md): the user the VM names, or null when it names nobody;
   * `problem` says why they no longer qualify (null while they do).
   */
  pic: z
    .object({ userId: z.uuid(), name: z.string(), problem: z.enum(PIC_PROBLEMS).nullable() })
    .nullable()
    .optional(),
});
export type VmDto = z.infer<typeof ZVm>;

/**
 * `GET /vms` query: institution, state, node (data-center roles only), vmid, host name, address,
 * free text (host name, address, application name), creation day range (WIB), PIC needed; keyset paging,
 * newest first, at most 500 per page (the default, as before paging existed).
 */
export const ZVmListQuery = z
  .strictObject({
    ...zFindPage(500, 500),
    institutionId: z.uuid().optional(),
    state: zText({ max: 32 }).optional(),
    node: zText({ max: 64 }).optional(),
    vmid: z.coerce.number().int().min(1).max(999_999_999).optional(),
    hostname: ZFindText.optional(),
    address: ZFindText.optional(),
    q: ZFindText.optional(),
    /** `needed`: only VMs whose PIC is missing or no longer qualifies ("tanpa PIC"). */
    pic: z.enum(['needed']).optional(),
    ...FIND_DAY_RANGE,
  })
  .refine(dayRangeInOrder, DAY_RANGE_ISSUE);
export type VmListQuery = z.infer<typeof ZVmListQuery>;

/** `GET /vms` answer: newest first; `nextCursor` names the next page (null on the last). */
export const ZVmList = z.object({ items: z.array(ZVm), nextCursor: z.string().nullable() });

/** Power actions of `POST /vms/:id/actions`. */
export const VM_POWER_ACTIONS = ['start', 'shutdown', 'stop', 'reboot'] as const;
export type VmPowerAction = (typeof VM_POWER_ACTIONS)[number];
/** `POST /vms/:id/actions` body. */
export const ZVmActionBody = z.strictObject({ action: z.enum(VM_POWER_ACTIONS) });
/**
 * `POST /vms/:id/decommission` body: the reason and the VM's host name typed again
 * (`confirmHostname`, compared exactly), so a VM is never destroyed by a slip of the mouse.
 */
export const ZDecommissionBody = z.strictObject({
  reason: zText({ min: 5, max: 500, multiline: true }),
  confirmHostname: z.string().max(63),
});
/** 202 answer of VM actions: the day-2 run that carries it out (follow it on the request's events). */
export const ZQueuedRun = z.object({ runId: z.uuid() });

/**
 * 202 answer of `POST /vms/:id/decommission` and of the head's approval: either the VM is
 * `retained` (stopped by run `runId`, destroyed at `retainedUntil` unless restored; `runId` is
 * null when the VM is missing from the cluster and there is nothing to stop), or the
 * decommission is `awaiting_approval` by the institution head (`runId` and `retainedUntil` null).
 */
export const ZDecommissionAnswer = z.object({
  runId: z.uuid().nullable(),
  status: z.enum(['retained', 'awaiting_approval']),
  decommissionId: z.uuid(),
  retainedUntil: z.string().nullable(),
});
export type DecommissionAnswer = z.infer<typeof ZDecommissionAnswer>;

/** `POST /vms/:id/decommission/approve|reject` body: an optional note from the head. */
export const ZDecommissionDecisionBody = z.strictObject({ note: zText({ max: 500, multiline: true }).optional() });

/** 202 answer of `POST /vms/:id/restore`: the start run that brings the VM back. */
export const ZRestoreAnswer = ZQueuedRun;

/**
 * Setting `decommission_policy` (admins): days a decommissioned VM is kept restorable, the
 * application classes whose VMs need the institution head's approval to decommission, and how
 * many hours before the final destruction the reminder e-mail goes out.
 */
export const ZDecommissionPolicy = z.strictObject({
  graceDays: z.number().int().min(1).max(90),
  headApprovalClasses: z.array(z.enum(DATA_CLASSIFICATIONS)).max(DATA_CLASSIFICATIONS.length),
  reminderHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
});
export type DecommissionPolicy = z.infer<typeof ZDecommissionPolicy>;
export const DEFAULT_DECOMMISSION_POLICY: DecommissionPolicy = { graceDays: 7, headApprovalClasses: ['strategis'], reminderHours: 24 };

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

/**
 * `POST /vms/:id/ssh-keys` body: the admin user's new authorized keys (they replace all the
 * current ones), with the caller's password (and TOTP code when enrolled) to re-authenticate.
 */
export const ZReplaceSshKeysBody = z.strictObject({
  sshPublicKeys: ZSshPublicKeyList,
  password: z.string().min(1).max(1024),
  totp: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
});
export type ReplaceSshKeysBody = z.infer<typeof ZReplaceSshKeysBody>;

/**
 * `POST /vms/:id/console-password` body: the admin user's new console password (the account
 * password's length rules; no control characters, which the serial console cannot type and
 * chpasswd refuses), and the caller's own password (and TOTP code) again.
 */
export const ZSetConsolePasswordBody = z.strictObject({
  consolePassword: z
    .string()
    .min(12)
    .max(256)
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    .regex(/^[^\x00-\x1f\x7f]+$/),
  password: z.string().min(1).max(1024),
  totp: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
});
export type SetConsolePasswordBody = z.infer<typeof ZSetConsolePasswordBody>;

/** Answer of `POST /vms/:id/console-password`: the queued run and the user the password is for. */
export const ZConsolePasswordAnswer = ZQueuedRun.extend({ user: z.string() });
