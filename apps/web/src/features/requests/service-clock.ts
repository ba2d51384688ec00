import type { ServiceStandards, VpsRequestDto } from '@betang/core';
import { AWAITING_DECISION, type RunView } from './live-request';

/** Elapsed time of a phase against its target, in minutes. */
export type PhaseClock = { elapsedMinutes: number; targetMinutes: number; done: boolean };

const minutesBetween = (from: string, to: number) => Math.max(0, (to - new Date(from).getTime()) / 60_000);

/**
 * Approval: from submission to the last approval decision (or now while a level waits; a
 * request that left the waiting statuses without a decision counts as decided at submission). Provisioning:
 * from the first step's start of the provisioning run to its last step's end (or now). Undefined
 * for a phase that has not begun.
 */
export function serviceClocks(
  request: VpsRequestDto,
  runs: RunView[],
  standards: ServiceStandards,
  now: number,
): { approval: PhaseClock; provisioning?: PhaseClock } {
  // Decisions on a later change of the VM (runId set) are not the request's approval.
  const own = request.approvals.filter((a) => !a.runId);
  const waiting = AWAITING_DECISION.includes(request.status) && request.pendingLevel !== null;
  // Past approval without a decision of its own: approved automatically at submission.
  const decided = waiting ? null : (own[own.length - 1]?.at ?? request.createdAt);
  const approval = {
    elapsedMinutes: minutesBetween(request.createdAt, decided ? new Date(decided).getTime() : now),
    targetMinutes: standards.approvalHours * 60,
    done: decided !== null,
  };
  const provision = runs.find((run) => run.kind === 'provision' || run.kind === null);
  const started = provision?.steps
    .map((s) => s.startedAt)
    .filter((s): s is string => s !== null)
    .sort()[0];
  if (!provision || !started) return { approval };
  const finished = provision.status === 'succeeded' || provision.status === 'failed';
  const ended = finished
    ? provision.steps
        .map((s) => s.finishedAt)
        .filter((s): s is string => s !== null)
        .sort()
        .pop()
    : undefined;
  return {
    approval,
    provisioning: {
      elapsedMinutes: minutesBetween(started, ended ? new Date(ended).getTime() : now),
      targetMinutes: standards.provisioningMinutes,
      done: finished,
    },
  };
}
