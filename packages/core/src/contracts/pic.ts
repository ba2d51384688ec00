import { z } from 'zod';
import { PIC_PROBLEMS } from '../domain/pic';
import { VM_STATES } from '../domain/vm-state';
import { AGREEMENT_STATUSES } from '../domain/agreement-status';

/** The person a VM names as its PIC (whether or not they still qualify). */
export const ZPicPerson = z.object({ userId: z.uuid(), name: z.string(), email: z.string() });

/** A VM with its PIC: `problem` null when the PIC qualifies, else why a new one is needed. */
export const ZPicVm = z.object({
  id: z.uuid(),
  name: z.string(),
  vmid: z.number().nullable(),
  state: z.enum(VM_STATES),
  institutionId: z.uuid(),
  institutionName: z.string(),
  pic: ZPicPerson.nullable(),
  problem: z.enum(PIC_PROBLEMS).nullable(),
});
export type PicVmDto = z.infer<typeof ZPicVm>;

/** `GET /institutions/{id}/pic` and `GET /pic/needed`: VMs with their PIC (no paging: at most 1000). */
export const ZPicVmList = z.object({ items: z.array(ZPicVm) });

/** `GET /institutions/{id}/pic?needed=true`: only the VMs that need a new PIC. */
export const ZPicListQuery = z.strictObject({ needed: z.enum(['true', 'false']).optional() });

/**
 * `POST /pic/assignments` body: name one PIC for up to 200 VMs at once. All or nothing: when any
 * VM or the user does not qualify, nothing changes.
 */
export const ZAssignPicBody = z.strictObject({
  vmIds: z.array(z.uuid()).min(1).max(200),
  picUserId: z.uuid(),
});
export type AssignPicBody = z.infer<typeof ZAssignPicBody>;

/** `POST /pic/assignments` answer: how many VMs now name a different PIC (a VM that already named them is not counted). */
export const ZAssignPicAnswer = z.object({ changed: z.number().int().min(0) });

/** `GET /reports/pic` query: agreements ending within `withinDays` days (WIB) count as ending. */
export const ZPicReportQuery = z.strictObject({ withinDays: z.coerce.number().int().min(0).max(730).default(90) });

/** A VM whose institution's last agreement ends (or ended) with no later agreement to follow it. */
export const ZVmWithoutSuccessor = z.object({
  id: z.uuid(),
  name: z.string(),
  vmid: z.number().nullable(),
  institutionId: z.uuid(),
  institutionName: z.string(),
  /** The institution's last agreement (null when it never had one that was not revoked). */
  agreement: z.object({ id: z.uuid(), number: z.string(), status: z.enum(AGREEMENT_STATUSES), termEnd: z.string() }).nullable(),
});

/** `GET /reports/pic`: the operator report. */
export const ZPicReport = z.object({
  /** VMs that need a new PIC (nobody named, or the named user no longer qualifies). */
  withoutPic: z.array(ZPicVm),
  /** VMs whose agreement ends within the horizon, or has ended, and has no successor. */
  withoutSuccessor: z.array(ZVmWithoutSuccessor),
  /** The horizon's last day (WIB `YYYY-MM-DD`). */
  endingBy: z.string(),
});
export type PicReportDto = z.infer<typeof ZPicReport>;

/** `GET /institutions/{id}/pic/candidates`: the users who may be named PIC (active, with an institution role). */
export const ZPicCandidates = z.object({ items: z.array(ZPicPerson) });

/** `POST /users/{id}/institution` body: move an institution user to another institution (admins). */
export const ZMoveUserBody = z.strictObject({ institutionId: z.uuid() });
