import type { RequestStatus } from '@betang/core';
import type { MessageKey } from '../../i18n/i18n';
import type { StatusTone } from '../../ui/status-badge';

/** Catalogue key and tone of each request status. */
export const REQUEST_STATUS: Record<RequestStatus, { key: MessageKey; tone: StatusTone }> = {
  draft: { key: 'requests.status.draft', tone: 'idle' },
  submitted: { key: 'requests.status.submitted', tone: 'busy' },
  partially_approved: { key: 'requests.status.partially_approved', tone: 'busy' },
  approved: { key: 'requests.status.approved', tone: 'busy' },
  queued: { key: 'requests.status.queued', tone: 'busy' },
  provisioning: { key: 'requests.status.provisioning', tone: 'busy' },
  active: { key: 'requests.status.active', tone: 'good' },
  stopped: { key: 'requests.status.stopped', tone: 'idle' },
  retained: { key: 'requests.status.retained', tone: 'bad' },
  expiring: { key: 'requests.status.expiring', tone: 'busy' },
  decommissioning: { key: 'requests.status.decommissioning', tone: 'busy' },
  decommissioned: { key: 'requests.status.decommissioned', tone: 'idle' },
  rejected: { key: 'requests.status.rejected', tone: 'bad' },
  cancelled: { key: 'requests.status.cancelled', tone: 'idle' },
  failed: { key: 'requests.status.failed', tone: 'bad' },
};

/** Requests still on their way (shown as "in flight" on the dashboard; cancellable before provisioning). */
export const IN_FLIGHT: readonly RequestStatus[] = ['submitted', 'partially_approved', 'approved', 'queued', 'provisioning'];
/** States in which the requester may still cancel. */
export const CANCELLABLE: readonly RequestStatus[] = ['draft', 'submitted', 'partially_approved', 'approved', 'queued'];

const STEP_KEYS: Record<string, MessageKey> = {
  reserve: 'requests.step.reserve',
  place: 'requests.step.place',
  clone: 'requests.step.clone',
  configure: 'requests.step.configure',
  resize: 'requests.step.resize',
  start: 'requests.step.start',
  'await-agent': 'requests.step.await-agent',
  'await-cloud-init': 'requests.step.await-cloud-init',
  'pin-host-key': 'requests.step.pin-host-key',
  'configure-guest': 'requests.step.configure-guest',
  'public-endpoint': 'internet.step',
  verify: 'requests.step.verify',
  'hand-over': 'requests.step.hand-over',
  locate: 'requests.step.locate',
  power: 'requests.step.power',
  destroy: 'requests.step.destroy',
  'grow-filesystem': 'requests.step.grow-filesystem',
  ports: 'requests.step.ports',
  reboot: 'requests.step.reboot',
  record: 'requests.step.record',
  'write-keys': 'requests.step.write-keys',
  snapshot: 'requests.step.snapshot',
  rollback: 'requests.step.rollback',
  'delete-snapshot': 'requests.step.delete-snapshot',
  'set-console-password': 'consolePassword.step',
  'stop-before-restore': 'restores.step.stop',
  restore: 'restores.step.restore',
  'start-after-restore': 'restores.step.start',
  'mark-owner': 'adoption.step.markOwner',
  'unmark-owner': 'adoption.step.unmarkOwner',
  cleanup: 'words.step.cleanup',
};

/** The catalogue key of a run step, or undefined for a step this UI has no name for (shown as "another step", never as its key). */
export function stepKey(key: string): MessageKey | undefined {
  return STEP_KEYS[key];
}

const RUN_KINDS: Record<string, MessageKey> = {
  provision: 'requests.run.provision',
  start: 'requests.run.start',
  stop: 'requests.run.stop',
  shutdown: 'requests.run.shutdown',
  reboot: 'requests.run.reboot',
  resize: 'requests.run.resize',
  decommission: 'requests.run.decommission',
  ssh_keys: 'requests.run.ssh_keys',
  snapshot: 'requests.run.snapshot',
  snapshot_rollback: 'requests.run.snapshot_rollback',
  snapshot_delete: 'requests.run.snapshot_delete',
  console_password: 'requests.run.console_password',
  restore: 'requests.run.restore',
  adopt: 'requests.run.adopt',
  release: 'requests.run.release',
};

/** The catalogue key of a run kind (null or unknown → the generic "process"). */
export function runKindKey(kind: string | null): MessageKey {
  return (kind && RUN_KINDS[kind]) || 'requests.run.generic';
}
