import type { DecommissionPolicy } from '../contracts/vms';
import { Role, hasAnyRole, type Actor } from '../roles';

/**
 * True when `actor` must wait for the institution head before a VM of an application in
 * `classification` is decommissioned: the class is one the policy protects and the actor is
 * neither data-center staff who operate VMs (admins, operators) nor the head who would approve.
 */
export function decommissionNeedsHeadApproval(actor: Actor, classification: string, policy: DecommissionPolicy): boolean {
  if (hasAnyRole(actor, [Role.Admin, Role.Operator, Role.InstitutionHead])) return false;
  return (policy.headApprovalClasses as readonly string[]).includes(classification);
}

/** True when `actor` may decide (approve) a pending decommission of a VM owned by `institutionId`: its own institution's head. */
export function canApproveDecommission(actor: Actor, institutionId: string): boolean {
  return hasAnyRole(actor, [Role.InstitutionHead]) && actor.institutionId === institutionId;
}

/** The moment a VM retained at `at` is destroyed under `policy`. */
export function graceEndsAt(at: Date, policy: DecommissionPolicy): Date {
  return new Date(at.getTime() + policy.graceDays * 86_400_000);
}

/** The moment the reminder before the final destruction at `until` is due. */
export function decommissionReminderAt(until: Date, policy: DecommissionPolicy): Date {
  return new Date(until.getTime() - policy.reminderHours * 3_600_000);
}
