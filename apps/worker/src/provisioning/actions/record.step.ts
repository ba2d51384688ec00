import { auditActionName, bilingualDetail, type RequestStatus } from '@betang/core';
import {
  appendAudit,
  heldPublicEndpoint,
  releaseAddress,
  releasePublicEndpoint,
  setPublicEndpointPorts,
  transitionRequest,
  transitionVm,
  updateVm,
} from '@betang/db';
import { syncEdge } from '../../public-endpoints/edge';
import { probeEndpoint } from '../../public-endpoints/publish-endpoint';
import { actionStep, type ActionKind } from './action-context';
import { locateStep } from './locate.step';
import { resizeVmStep } from './resize-vm.step';
import { restoreBackupStep, startAfterRestoreStep } from './restore.step';

const AUDIT_ACTION: Record<ActionKind, string> = {
  start: 'vm.started',
  stop: 'vm.stopped',
  shutdown: 'vm.shut_down',
  reboot: 'vm.rebooted',
  resize: 'vm.resized',
  decommission: 'vm.decommissioned',
  ssh_keys: 'vm.ssh_keys_replaced',
  snapshot: 'vm.snapshot_taken',
  snapshot_rollback: 'vm.snapshot_rolled_back',
  snapshot_delete: 'vm.snapshot_deleted',
  console_password: 'vm.console_password_set',
  restore: 'vm.backup_restored',
  adopt: 'vm.adoption_marked',
  release: 'vm.released',
};

/**
 * `record`: writes the outcome to the VM row and the request in one transaction with its audit
 * entry (VM state and request status move only from the states the lifecycle allows, so a
 * second run changes nothing); decommission also releases the address and the public endpoint
 * and marks the VM's snapshots deleted; a port change carries the new ports to the public
 * endpoint. After the commit, the edge is published again and a changed endpoint re-probed
 * (both safe to repeat, so a re-run after a crash in between completes them).
 */
export const recordStep = actionStep({
  key: 'record',
  weight: 20,
  label: { id: 'catat hasil', en: 'record the outcome' },
  async run({ ctx, run, output }) {
    const { vm, kind } = ctx;
    await ctx.deps.db.transaction().execute(async (tx) => {
      const setRequest = (status: RequestStatus, from: readonly RequestStatus[]) =>
        transitionRequest(tx, vm.requestId, from, status, { reason: null, onMismatch: 'skip' });
      if (kind === 'start' || kind === 'reboot') {
        await transitionVm(tx, vm.id, ['stopped', 'running'], 'running', { onMismatch: 'skip' });
        await setRequest('active', ['stopped']);
      } else if (kind === 'stop' || kind === 'shutdown') {
        await transitionVm(tx, vm.id, ['running', 'stopped'], 'stopped', { onMismatch: 'skip' });
        await setRequest('stopped', ['active', 'expiring']);
      } else if (kind === 'resize') {
        const r = output(resizeVmStep);
        await updateVm(tx, vm.id, {
          ...(r.cores ? { cores: r.cores } : {}),
          ...(r.memoryMiB ? { memoryMiB: r.memoryMiB } : {}),
          ...(r.diskGiB ? { diskGiB: r.diskGiB } : {}),
        });
        // The request's ports are what the guest's firewall now opens (and what a rebuild would open).
        if (ctx.params.ports) {
          await tx.updateTable('vpsRequests').set({ ports: ctx.params.ports }).where('id', '=', vm.requestId).execute();
          await setPublicEndpointPorts(tx, vm.requestId, ctx.params.ports);
        }
      } else if (kind === 'ssh_keys') {
        // The request's keys are what the guest now trusts (and what a re-run of the guest setup would install).
        if (ctx.params.sshPublicKeys)
          await tx.updateTable('vpsRequests').set({ sshPublicKeys: ctx.params.sshPublicKeys }).where('id', '=', vm.requestId).execute();
      } else if (kind === 'console_password' || kind === 'adopt') {
        // Nothing to record on the VM: the password lives only inside the guest; an adopted VM's
        // row was written when the operator adopted it, the marker is all this run adds.
      } else if (kind === 'restore') {
        // The backup may predate a change: the VM has the sizes it had then, and no snapshots
        // (a restore over a VM removes its disks with their snapshots).
        const r = output(restoreBackupStep);
        await updateVm(tx, vm.id, {
          ...(r.cores ? { cores: r.cores } : {}),
          ...(r.memoryMiB ? { memoryMiB: r.memoryMiB } : {}),
          ...(r.diskGiB ? { diskGiB: r.diskGiB } : {}),
        });
        if (output(startAfterRestoreStep).status === 'running') {
          await transitionVm(tx, vm.id, ['stopped', 'running'], 'running', { onMismatch: 'skip' });
          await setRequest('active', ['stopped']);
        } else {
          await transitionVm(tx, vm.id, ['running', 'stopped'], 'stopped', { onMismatch: 'skip' });
          await setRequest('stopped', ['active', 'expiring']);
        }
        await tx
          .updateTable('vmSnapshots')
          .set({ status: 'deleted', deletedAt: new Date() })
          .where('vmId', '=', vm.id)
          .where('status', 'in', ['creating', 'present', 'deleting'])
          .execute();
      } else if (kind === 'release') {
        // The VM stays in the cluster, untouched: only Betang's record of it ends. States move
        // only now, once the marker is gone (a failed release leaves the VM Betang's, as it was).
        await transitionVm(tx, vm.id, ['running', 'stopped', 'missing'], 'decommissioning', { onMismatch: 'skip' });
        await transitionVm(tx, vm.id, ['decommissioning'], 'decommissioned', { onMismatch: 'skip' });
        await releaseAddress(tx, vm.requestId, `released by run ${run.id}`);
        await setRequest('decommissioning', ['active', 'stopped', 'expiring']);
        await setRequest('decommissioned', ['decommissioning']);
        await tx
          .updateTable('adoptions')
          .set({ releasedAt: new Date() })
          .where('vmId', '=', vm.id)
          .where('releasedAt', 'is', null)
          .execute();
      } else {
        await transitionVm(tx, vm.id, ['decommissioning'], 'decommissioned', { onMismatch: 'skip' });
        // Destroying the VM took its snapshots with it.
        await tx
          .updateTable('vmSnapshots')
          .set({ status: 'deleted', deletedAt: new Date() })
          .where('vmId', '=', vm.id)
          .where('status', 'in', ['creating', 'present', 'deleting'])
          .execute();
        await releaseAddress(tx, vm.requestId, `decommissioned by run ${run.id}`);
        await releasePublicEndpoint(tx, vm.requestId, `decommissioned by run ${run.id}`);
        await setRequest('decommissioned', ['decommissioning']);
      }
      await appendAudit(tx, {
        actorUserId: run.requestedBy,
        actorLabel: 'worker',
        institutionId: vm.institutionId,
        action: AUDIT_ACTION[kind],
        targetType: 'vm',
        targetId: vm.id,
        // Never the sealed console password, even encrypted.
        after: { vmid: vm.vmid, runId: run.id, params: { ...ctx.params, consolePassword: undefined } },
      });
    });
    const publicEndpoints = ctx.deps.publicEndpoints;
    const portsChanged = kind === 'resize' && ctx.params.ports !== undefined;
    if (publicEndpoints && (kind === 'decommission' || portsChanged)) await syncEdge(ctx.deps.db, publicEndpoints.edge);
    const endpoint = portsChanged ? await heldPublicEndpoint(ctx.deps.db, vm.requestId) : undefined;
    const at = output(locateStep);
    if (endpoint && at.node && vm.vmid !== null) await probeEndpoint(ctx.deps, endpoint, { vmid: vm.vmid, node: at.node });
    return { detail: bilingualDetail(auditActionName(AUDIT_ACTION[kind])) };
  },
});
