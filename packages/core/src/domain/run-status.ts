/**
 * The lifecycle of a provisioning run (provisioning_runs.status) and of each of its steps
 * (run_steps.status) — docs/architecture.md §4. A resize that needs approval starts in
 * `awaiting_approval`; every other run starts `queued`.
 */
export const RUN_STATUSES = ['awaiting_approval', 'queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** What a run does: provision a request, or one day-2 action on its VM. */
export const RUN_KINDS = [
  'provision',
  'start',
  'stop',
  'shutdown',
  'reboot',
  'resize',
  'decommission',
  'ssh_keys',
  'snapshot',
  'snapshot_rollback',
  'snapshot_delete',
  'console_password',
  'restore',
  'adopt',
  'release',
] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/**
 * Every allowed move of a run. `running → running` is a new attempt of the same run (the queue
 * retries a job); a queued run can fail without starting when its deadline passes.
 */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  awaiting_approval: ['queued', 'cancelled'],
  queued: ['running', 'cancelled', 'failed'],
  running: ['running', 'succeeded', 'failed'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

/** True when a run may move from `from` to `to`. */
export function canTransitionRun(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

export const STEP_STATUSES = ['pending', 'running', 'done', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/**
 * Every allowed move of a run step. A step is re-run on a later attempt (`failed → running`,
 * `running → running` after a crash), and a reset forgets its memo (`→ pending`).
 */
export const STEP_TRANSITIONS: Readonly<Record<StepStatus, readonly StepStatus[]>> = {
  pending: ['running', 'skipped'],
  running: ['running', 'done', 'skipped', 'failed', 'pending'],
  done: ['running', 'pending'],
  failed: ['running', 'pending'],
  skipped: ['running', 'pending'],
};

/** True when a run step may move from `from` to `to`. */
export function canTransitionStep(from: StepStatus, to: StepStatus): boolean {
  return STEP_TRANSITIONS[from].includes(to);
}
