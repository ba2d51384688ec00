import { appendAudit, transitionRequest, transitionVm } from '@betang/db';
import type { WorkerDeps } from '../../deps';
import type { RunDefinition } from '../../harness/run-definition';
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

/** Steps of each day-2 kind. */
export const ACTION_STEPS: Record<ActionKind, readonly ActionStep<unknown>[]> = {
  start: [locateStep, powerStep, recordStep],
  stop: [locateStep, powerStep, recordStep],
  shutdown: [locateStep, powerStep, recordStep],
  reboot: [locateStep, powerStep, recordStep],
  resize: [locateStep, resizeVmStep, growFilesystemStep, openPortsStep, applyPendingStep, recordStep],
  decommission: [locateStep, destroyStep, recordStep],
  ssh_keys: [locateStep, writeKeysStep, recordStep],
};

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
