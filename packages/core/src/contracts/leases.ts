import { z } from 'zod';
import { AGREEMENT_STATUSES } from '../domain/agreement-status';
import { VM_STATES } from '../domain/vm-state';

/**
 * Where a VM stands after its agreement ended without a successor (a VM without a lease row is
 * covered): in its grace period, having its final (kept) backup taken, stopped, or being
 * destroyed — the last step, which nobody reverses.
 */
export const LEASE_STATES = ['grace', 'final_backup', 'stopped', 'destroying'] as const;
export type LeaseState = (typeof LEASE_STATES)[number];

const ZDate = z.iso.date();

/**
 * Settings `lease_grace_days` and `lease_destroy_days` (admins): days a VM keeps running after
 * its agreement ended, and days it stays stopped (its final backup kept) before it is destroyed.
 */
export const ZLeasePolicy = z.strictObject({
  graceDays: z.number().int().min(1).max(365),
  destroyAfterDays: z.number().int().min(1).max(365),
});
export type LeasePolicy = z.infer<typeof ZLeasePolicy>;
export const DEFAULT_LEASE_POLICY: LeasePolicy = { graceDays: 30, destroyAfterDays: 30 };

/** The lease of one VM: the agreement covering it, and the steps ahead once that agreement ended. */
export const ZVmLease = z.object({
  vmId: z.uuid(),
  vmName: z.string(),
  vmState: z.enum(VM_STATES),
  agreement: z.object({ id: z.uuid(), number: z.string(), status: z.enum(AGREEMENT_STATUSES), termEnd: z.string() }).nullable(),
  /** null: covered by an agreement in force (or not yet ended). */
  state: z.enum(LEASE_STATES).nullable(),
  endedOn: z.string().nullable(),
  /** The day the VM is stopped (after its final backup) unless renewed or extended. */
  stopOn: z.string().nullable(),
  stoppedOn: z.string().nullable(),
  /** The day the VM is destroyed; null while running, or once an operator cancelled the destruction. */
  destroyOn: z.string().nullable(),
  /** The kept backup taken before the stop (volid), when it exists. */
  keptBackup: z.object({ id: z.uuid(), volid: z.string().nullable(), outcome: z.string() }).nullable(),
});
export type VmLease = z.infer<typeof ZVmLease>;

/** `GET /agreements/:id/leases`: the VMs this agreement covers, or covered until it ended. */
export const ZAgreementLeases = z.object({ items: z.array(ZVmLease) });

/** `POST /vms/:id/lease/extend` body: the new last day of the grace period (later than the current one). */
export const ZLeaseExtendBody = z.strictObject({ until: ZDate });
export type LeaseExtendBody = z.infer<typeof ZLeaseExtendBody>;

/**
 * `POST /agreements/:id/renewal` body: the draft copies the parties, applications, OS templates
 * and ceiling; its term starts the day after the current one ends and lasts a year unless
 * `termEnd` says otherwise. Name the signers when there are several active heads.
 */
export const ZRenewalBody = z.strictObject({
  termEnd: ZDate.optional(),
  institutionHeadUserId: z.uuid().optional(),
  dcHeadUserId: z.uuid().optional(),
});
export type RenewalBody = z.infer<typeof ZRenewalBody>;

/** 201 answer of `POST /agreements/:id/renewal`. */
export const ZRenewalAnswer = z.object({ id: z.uuid(), termStart: z.string(), termEnd: z.string() });
