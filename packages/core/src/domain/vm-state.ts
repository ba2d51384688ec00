/**
 * The lifecycle of a VM row (vms.state) and which day-2 action each state allows —
 * docs/architecture.md §4. The API refuses an action outside these states and the web offers
 * only these, so both read them from here.
 */
export const VM_STATES = [
  'reserved',
  'provisioning',
  'running',
  'stopped',
  'retained',
  'decommissioning',
  'decommissioned',
  'missing',
  'failed',
] as const;
export type VmState = (typeof VM_STATES)[number];

/**
 * Every allowed move of a VM row. A re-queued provisioning run re-arms the row (`→ reserved`);
 * the reconciler marks a VM it cannot find `missing`, and finds it again. A decommission first
 * `retained`s the VM (stopped and kept until its grace period ends): a restore gives it back
 * (`→ stopped`, then started), the end of the grace period destroys it (`→ decommissioning`).
 */
export const VM_TRANSITIONS: Readonly<Record<VmState, readonly VmState[]>> = {
  reserved: ['reserved', 'provisioning', 'running', 'failed'],
  provisioning: ['reserved', 'provisioning', 'running', 'failed', 'missing'],
  running: ['running', 'stopped', 'retained', 'decommissioning', 'missing'],
  stopped: ['running', 'stopped', 'retained', 'decommissioning', 'missing'],
  retained: ['stopped', 'decommissioning'],
  decommissioning: ['decommissioning', 'decommissioned', 'missing'],
  decommissioned: [],
  missing: ['running', 'stopped', 'retained', 'decommissioning', 'failed'],
  failed: ['reserved'],
};

/** True when `value` is one of the VM states. */
export function isVmState(value: string): value is VmState {
  return (VM_STATES as readonly string[]).includes(value);
}

/** States in which a VM row holds its vmid (the partial unique index vms_live_vmid_uq agrees). */
export const VM_HOLDING_STATES: readonly VmState[] = [
  'reserved',
  'provisioning',
  'running',
  'stopped',
  'retained',
  'decommissioning',
  'missing',
];

/** Every day-2 action on a VM. */
export const VM_ACTIONS = ['start', 'stop', 'shutdown', 'reboot', 'resize', 'decommission', 'restore'] as const;
type VmActionKind = (typeof VM_ACTIONS)[number];

/** The VM states each action applies to; any other state is refused (409). */
export const VM_ACTION_FROM: Readonly<Record<VmActionKind, readonly VmState[]>> = {
  start: ['stopped'],
  stop: ['running'],
  shutdown: ['running'],
  reboot: ['running'],
  resize: ['running', 'stopped'],
  decommission: ['running', 'stopped', 'missing'],
  restore: ['retained'],
};

/** True when `action` applies to a VM in `state` (an unknown state allows nothing). */
export function vmActionAllowed(state: string, action: VmActionKind): boolean {
  return (VM_ACTION_FROM[action] as readonly string[]).includes(state);
}

/** The actions a VM in `state` allows, in VM_ACTIONS order. */
export function vmActionsFor(state: string): VmActionKind[] {
  return VM_ACTIONS.filter((action) => vmActionAllowed(state, action));
}
