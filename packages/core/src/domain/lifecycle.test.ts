import { REQUEST_STATUSES, REQUEST_TRANSITIONS, canTransition } from './request-status';
import { RUN_STATUSES, RUN_TRANSITIONS, STEP_STATUSES, STEP_TRANSITIONS, canTransitionRun } from './run-status';
import { VM_ACTIONS, VM_ACTION_FROM, VM_STATES, VM_TRANSITIONS, isVmState, vmActionAllowed, vmActionsFor } from './vm-state';

describe('lifecycles in core', () => {
  it('should name only known states in every transition table', () => {
    const check = (states: readonly string[], table: Readonly<Record<string, readonly string[]>>) => {
      expect(Object.keys(table).sort()).toEqual([...states].sort());
      for (const targets of Object.values(table)) for (const to of targets) expect(states).toContain(to);
    };
    check(REQUEST_STATUSES, REQUEST_TRANSITIONS);
    check(RUN_STATUSES, RUN_TRANSITIONS);
    check(STEP_STATUSES, STEP_TRANSITIONS);
    check(VM_STATES, VM_TRANSITIONS);
  });

  it('should allow the moves the use-cases make: final approval queues, a retry re-queues, a decommission can follow a failure', () => {
    expect(canTransition('submitted', 'queued')).toBe(true);
    expect(canTransition('partially_approved', 'queued')).toBe(true);
    expect(canTransition('failed', 'queued')).toBe(true);
    expect(canTransition('failed', 'decommissioning')).toBe(true);
    expect(canTransition('decommissioned', 'active')).toBe(false);
    expect(canTransitionRun('awaiting_approval', 'queued')).toBe(true);
    // A decommission retains first; a restore leads back, the grace period's end leads on, never back from there.
    expect(canTransition('active', 'retained')).toBe(true);
    expect(canTransition('retained', 'stopped')).toBe(true);
    expect(canTransition('retained', 'decommissioning')).toBe(true);
    expect(canTransition('decommissioning', 'retained')).toBe(false);
    expect(canTransition('retained', 'active')).toBe(false);
    expect(canTransitionRun('succeeded', 'running')).toBe(false);
  });

  it('should give each VM action the states the API accepts, and only real states', () => {
    for (const action of VM_ACTIONS) for (const state of VM_ACTION_FROM[action]) expect(VM_STATES).toContain(state);
    expect(vmActionsFor('running')).toEqual(['stop', 'shutdown', 'reboot', 'resize', 'decommission']);
    expect(vmActionsFor('stopped')).toEqual(['start', 'resize', 'decommission']);
    expect(vmActionsFor('missing')).toEqual(['decommission']);
    expect(vmActionsFor('decommissioning')).toEqual([]);
    expect(vmActionsFor('retained')).toEqual(['restore']);
    // 'active' is a request status, never a VM state: it allows nothing.
    expect(isVmState('active')).toBe(false);
    expect(vmActionAllowed('active', 'stop')).toBe(false);
  });
});
