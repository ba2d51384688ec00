import { appendAudit, enqueueEmail, finishRun, operatorEmails, transitionRequest, transitionVm } from '@betang/db';
import type { WorkerDeps } from '../../deps';
import type { RunDefinition, StepDef } from '../../harness/run-definition';
import { joinText } from '../provision.definition';
import { failureEmail } from '../provision-emails';
import { loadActionCtx, type ActionCtx, type ActionKind } from './action-context';
import { destroyStep } from './destroy.step';
import { locateStep, type Located } from './locate.step';
import { powerStep } from './power.step';
import { recordStep } from './record.step';
import { resizeVmStep } from './resize-vm.step';

/** Steps of each day-2 kind. */
export const ACTION_STEPS: Record<ActionKind, readonly StepDef<ActionCtx>[]> = {
  start: [locateStep, powerStep, recordStep],
  stop: [locateStep, powerStep, recordStep],
  shutdown: [locateStep, powerStep, recordStep],
  reboot: [locateStep, powerStep, recordStep],
  resize: [locateStep, resizeVmStep, recordStep],
  decommission: [locateStep, destroyStep, recordStep],
};

/**
 * Day-2 runs through the same harness. The step list depends on the run's kind, which is only
 * known once the run is loaded, so the definition dispatches per kind.
 */
export function actionDefinition(deps: WorkerDeps, kind: ActionKind): RunDefinition<ActionCtx> {
  return {
    name: `vm.action:${kind}`,
    steps: ACTION_STEPS[kind],
    load: (run) => loadActionCtx(deps, run),
    async onStart(run, ctx) {
      if (kind !== 'decommission') return;
      await deps.db.transaction().execute(async (tx) => {
        const moved = await transitionRequest(tx, run.requestId, ['active', 'stopped', 'expiring', 'failed'], 'decommissioning', { onMismatch: 'skip' });
        await transitionVm(tx, ctx.vm.id, ['running', 'stopped', 'missing', 'decommissioning'], 'decommissioning', { onMismatch: 'skip' });
        if (moved) {
          await appendAudit(tx, { actorUserId: run.requestedBy, actorLabel: 'worker', institutionId: ctx.vm.institutionId, action: 'vps_request.decommissioning', targetType: 'vps_request', targetId: run.requestId, after: { runId: run.id } });
        }
      });
    },
    target(results, ctx) {
      const at = results.get('locate') as Located | undefined;
      const node = at?.node ?? ctx?.vm.node ?? undefined;
      const vmid = at?.vmid ?? ctx?.vm.vmid ?? undefined;
      return { ...(node ? { node } : {}), ...(vmid ? { vmid } : {}) };
    },
    async onSuccess(run) {
      await finishRun(deps.db, run.id, { status: 'succeeded' });
    },
    async onFinalFailure(run, ctx, failure) {
      const reason = joinText(failure.text);
      await deps.db.transaction().execute(async (tx) => {
        await finishRun(tx, run.id, { status: 'failed', errorCode: failure.code, errorMessage: reason, retryable: failure.retryable });
        if (kind === 'decommission') {
          await transitionRequest(tx, run.requestId, ['decommissioning'], 'failed', { reason, onMismatch: 'skip' });
        }
        await appendAudit(tx, {
          actorUserId: null, actorLabel: 'worker', institutionId: ctx?.vm.institutionId ?? null, action: 'vm.action_failed', targetType: 'provisioning_run', targetId: run.id,
          after: { kind, code: failure.code, step: failure.step, node: failure.node ?? null, vmid: failure.vmid ?? null },
        });
        const email = failureEmail(await operatorEmails(tx), ctx?.vm.name ?? '?', run.requestId, run.id, failure);
        if (email) await enqueueEmail(tx, email, `run-failed:${run.id}:${run.attempt}`);
      });
    },
  };
}
