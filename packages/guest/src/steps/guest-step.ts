import type { GuestShell } from '../guest-connection';
import type { GuestSpec } from '../guest-spec.schema';

export const GUEST_STEP_KEYS = [
  'hostname',
  'admin-user',
  'sshd-hardening',
  'timezone',
  'ntp',
  'firewall',
  'unattended-upgrades',
  'packages',
] as const;
export type GuestStepKey = (typeof GUEST_STEP_KEYS)[number];

/** What a step found. `differences` says in plain words what apply would change. */
export type StepCheck<TObserved> = { needsChange: boolean; observed: TObserved; differences: string[]; notes?: string[] };

/**
 * One idempotent piece of guest configuration. `check` only reads; `apply` changes only what
 * `check` found different and returns one line per change made. Running check → apply → check
 * must converge (the second check reports needsChange = false).
 */
export interface GuestStep<TObserved = unknown> {
  readonly key: GuestStepKey;
  check(shell: GuestShell, spec: GuestSpec): Promise<StepCheck<TObserved>>;
  apply(shell: GuestShell, spec: GuestSpec, observed: TObserved): Promise<string[]>;
}

/** Outcome of one step in a configureGuest run. */
export type StepReport = { key: GuestStepKey; changed: boolean; detail: string[] };

/** Builds a StepCheck from a list of differences. */
export function checkResult<T>(observed: T, differences: string[], notes?: string[]): StepCheck<T> {
  return { needsChange: differences.length > 0, observed, differences, ...(notes ? { notes } : {}) };
}
