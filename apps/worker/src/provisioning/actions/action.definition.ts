import { appendAudit, transitionRequest, transitionVm, type RunRow, type Tx } from '@betang/db';
import type { WorkerDeps } from '../../deps';
import type { RunDefinition, RunFailure } from '../../harness/run-definition';
import { joinText } from '../../harness/run-error';
import type { ActionKind, ActionStep } from './action-context';
import { loadActionCtx, type ActionCtx } from './action-context';
import { destroyStep } from './destroy.step';
import { locateStep } from './locate.step';
import { powerStep } from './power.step';
import { recordStep } from './record.step';
import { resizeVmStep } from './resize-vm.step';
import { growFilesystemStep } from './grow-filesystem.step';
import { openPortsStep } from './open-ports.step';
import { applyPendingStep } from './apply-pending.step';
import { writeKeysStep } from './write-keys.step';
import { markOwnerStep, unmarkOwnerStep } from './owner-marker.step';
import { setConsolePasswordStep, wipeConsolePassword } from './set-console-password.step';
import { restoreBackupStep, startAfterRestoreStep, stopBeforeRestoreStep } from './restore.step';
import { deleteSnapshotStep, recordSnapshotStep, rollbackSnapshotStep, takeSnapshotStep } from './snapshot.step';

/** Steps of each day-2 kind. */
export const ACTION_STEPS: Record<ActionKind, readonly ActionStep<unknown>[]> = {
  start: [locateStep, powerStep, recordStep],
  stop: [locateStep, powerStep, recordStep],
  shutdown: [locateStep, powerStep, recordStep],
  reboot: [locateStep, powerStep, recordStep],
  resize: [locateStep, resizeVmStep, growFilesystemStep, openPortsStep, applyPendingStep, recordStep],
  decommission: [locateStep, destroyStep, recordStep],
  ssh_keys: [locateStep, writeKeysStep, recordStep],
  snapshot: [locateStep, takeSnapshotStep, recordSnapshotStep],
  snapshot_rollback: [locateStep, rollbackSnapshotStep, recordSnapshotStep],
  snapshot_delete: [locateStep, deleteSnapshotStep, recordSnapshotStep],
  console_password: [locateStep, setConsolePasswordStep, recordStep],
  restore: [locateStep, stopBeforeRestoreStep, restoreBackupStep, startAfterRestoreStep, recordStep],
  adopt: [locateStep, markOwnerStep, recordStep],
  release: [locateStep, unmarkOwnerStep, recordStep],
};

/**
 * A failed snapshot run's row: a snapshot not taken is `failed` with the reason (and a storage
 * that cannot snapshot is remembered on the VM, so the next request is refused at once); a
 * deletion that failed leaves the snapshot `present`. Guarded by status, so it is safe to repeat.
 */
async function snapshotFailed(tx: Tx, run: RunRow, failure: RunFailure): Promise<void> {
  const id = (run.params as { snapshotId?: unknown } | null)?.snapshotId;
  if (typeof id !== 'string') return;
  const text = joinText(failure.text).slice(0, 1000);
  if (run.kind === 'snapshot') {
    const row = await tx
      .updateTable('vmSnapshots')
      .set({ status: 'failed', failure: text })
      .where('id', '=', id)
      .where('status', '=', 'creating')
      .returning('vmId')
      .executeTakeFirst();
    if (row && failure.code === 'SNAPSHOT_UNSUPPORTED')
      await tx.updateTable('vms').set({ snapshotsUnsupported: text }).where('id', '=', row.vmId).execute();
  } else if (run.kind === 'snapshot_delete') {
    await tx
      .updateTable('vmSnapshots')
      .set({ status: 'present', failure: text })
      .where('id', '=', id)
      .where('status', '=', 'deleting')
      .execute();
  }
}

/**
 * Day-2 runs through the same harness. The step list depends on the run's kind, which is only
 * known once the run is loaded, so the definition dispatches per kind. Nothing to compensate: a
 * power change or a resize is not undone, and a failed decommission stays for an operator.
 */
export function actionDefinition(deps: WorkerDeps, kind: ActionKind): RunDefinition<ActionCtx, WorkerDeps> {
  return {
    name: `vm.action:${kind}`,
    steps: ACTION_STEPS[kind],
    env: deps,
    load: (run) => loadActionCtx(deps, run),
    async onStart(run, ctx) {
      if (kind !== 'decommission') return;
      await deps.db.transaction().execute(async (tx) => {
        const moved = await transitionRequest(tx, run.requestId, ['active', 'stopped', 'expiring', 'failed'], 'decommissioning', {
          onMismatch: 'skip',
        });
        await transitionVm(tx, ctx.vm.id, ['running', 'stopped', 'missing', 'decommissioning'], 'decommissioning', { onMismatch: 'skip' });
        if (moved) {
          await appendAudit(tx, {
            actorUserId: run.requestedBy,
            actorLabel: 'worker',
            institutionId: ctx.vm.institutionId,
            action: 'vps_request.decommissioning',
            targetType: 'vps_request',
            targetId: run.requestId,
            after: { runId: run.id },
          });
        }
      });
    },
    target(outputs, ctx) {
      const at = outputs.get(locateStep);
      const node = at?.node ?? ctx?.vm.node ?? undefined;
      const vmid = at?.vmid ?? ctx?.vm.vmid ?? undefined;
      return { ...(node ? { node } : {}), ...(vmid ? { vmid } : {}) };
    },
    async onFailed(tx, run, ctx, failure) {
      await snapshotFailed(tx, run, failure);
      // A run that ends without setting it leaves no sealed password behind either.
      if (kind === 'console_password') await wipeConsolePassword(tx, run.id);
      if (kind === 'decommission') {
        await transitionRequest(tx, run.requestId, ['decommissioning'], 'failed', { reason: joinText(failure.text), onMismatch: 'skip' });
      }
      return {
        subject: ctx?.vm.name ?? '?',
        audit: {
          actorUserId: null,
          actorLabel: 'worker',
          institutionId: ctx?.vm.institutionId ?? null,
          action: 'vm.action_failed',
          targetType: 'provisioning_run',
          targetId: run.id,
          after: { kind, code: failure.code, step: failure.step, node: failure.node ?? null, vmid: failure.vmid ?? null },
        },
      };
    },
  };
}
