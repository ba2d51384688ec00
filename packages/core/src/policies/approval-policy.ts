import { z } from 'zod';
import { ALL_ROLES, type Role } from '../roles';
import type { Resources } from '../domain/resources';
import { zText } from '../contracts/common';
import { CONTRACT_MESSAGES, worded } from '../contracts/messages';

const ZRoleName = z.enum(ALL_ROLES as [Role, ...Role[]]);
const ZThreshold = z.strictObject({
  cores: z.number().int().min(1).optional(),
  memoryMiB: z.number().int().min(1).optional(),
  diskGiB: z.number().int().min(1).optional(),
});

/**
 * One approval level: which roles decide, whether any one holder suffices or all must approve,
 * and (optionally) from which size on the level applies at all.
 */
const ZApprovalLevel = z.strictObject({
  level: z.number().int().min(1).max(10),
  name: z.strictObject({ id: zText({ min: 1, max: 100 }), en: zText({ min: 1, max: 100 }) }),
  roles: z.array(ZRoleName).min(1),
  mode: z.enum(['any', 'all']),
  /** The level applies only when the request reaches one of these sizes; absent = always. */
  appliesFrom: ZThreshold.optional(),
});
export type ApprovalLevel = z.infer<typeof ZApprovalLevel>;

/** The approval policy operators maintain (settings key `approval_policy`). */
export const ZApprovalPolicy = z
  .strictObject({
    levels: z.array(ZApprovalLevel).min(1).max(5),
    /** Requests no larger than this in every dimension are approved automatically; null = never. */
    autoApproveUpTo: ZThreshold.extend({
      cores: z.number().int().min(1),
      memoryMiB: z.number().int().min(1),
      diskGiB: z.number().int().min(1),
    }).nullable(),
  })
  .refine((p) => p.levels.every((l, i) => l.level === i + 1), { ...worded(CONTRACT_MESSAGES.levelsInOrder), path: ['levels'] });
export type ApprovalPolicy = z.infer<typeof ZApprovalPolicy>;

/** Betang's default: an operator reviews; the data-center head also approves large requests. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = {
  levels: [
    { level: 1, name: { id: 'Tinjauan operator', en: 'Operator review' }, roles: ['operator' as Role], mode: 'any' },
    {
      level: 2,
      name: { id: 'Persetujuan Kepala Diskominfosantik', en: 'Data-center head approval' },
      roles: ['dc_head' as Role],
      mode: 'any',
      appliesFrom: { cores: 8, memoryMiB: 16_384, diskGiB: 200 },
    },
  ],
  autoApproveUpTo: null,
};

function reaches(resources: Resources, threshold: z.infer<typeof ZThreshold>): boolean {
  return (
    (threshold.cores !== undefined && resources.cores >= threshold.cores) ||
    (threshold.memoryMiB !== undefined && resources.memoryMiB >= threshold.memoryMiB) ||
    (threshold.diskGiB !== undefined && resources.diskGiB >= threshold.diskGiB)
  );
}

/** The levels a request of this size must pass, in order. */
export function applicableLevels(policy: ApprovalPolicy, resources: Resources): ApprovalLevel[] {
  return policy.levels.filter((l) => !l.appliesFrom || reaches(resources, l.appliesFrom));
}

/** True when the policy approves a request of this size without anyone deciding. */
export function isAutoApproved(policy: ApprovalPolicy, resources: Resources): boolean {
  const limit = policy.autoApproveUpTo;
  return limit !== null && resources.cores <= limit.cores && resources.memoryMiB <= limit.memoryMiB && resources.diskGiB <= limit.diskGiB;
}

/**
 * A recorded decision. `role` is the role it was given in; when present, an approval counts at a
 * level only if that role decides the level (or is admin), so renumbering or re-assigning levels
 * never lets an earlier operator approval stand in for a data-center head's.
 */
type ApprovalDecision = { level: number; decision: 'approved' | 'rejected'; decidedBy: string | null; role?: string };

function countsAt(level: ApprovalLevel, d: ApprovalDecision): boolean {
  return (
    d.level === level.level &&
    d.decision === 'approved' &&
    (d.role === undefined || d.role === 'admin' || (level.roles as readonly string[]).includes(d.role))
  );
}

export type ApprovalState =
  { kind: 'rejected' } | { kind: 'approved' } | { kind: 'pending'; level: ApprovalLevel; approvalsAtLevel: number; required: number };

/**
 * Where a request stands under the policy. `holders(role)` gives how many active users hold a
 * role (for all-of levels). Guarantees: any rejection rejects; levels are passed strictly in
 * order; an all-of level needs every current holder (at least one); an approval counts only at
 * its own level and, when its role is known, only if that role decides the level. Evaluating
 * the same decisions under a changed policy gives the state under that policy.
 */
export function approvalState(
  policy: ApprovalPolicy,
  resources: Resources,
  decisions: readonly ApprovalDecision[],
  holders: (roles: readonly Role[]) => number,
): ApprovalState {
  if (decisions.some((d) => d.decision === 'rejected')) return { kind: 'rejected' };
  for (const level of applicableLevels(policy, resources)) {
    const approvalsAtLevel = decisions.filter((d) => countsAt(level, d)).length;
    const required = level.mode === 'any' ? 1 : Math.max(1, holders(level.roles));
    if (approvalsAtLevel < required) return { kind: 'pending', level, approvalsAtLevel, required };
  }
  return { kind: 'approved' };
}
