import { appendAudit, enqueueEmail, finishRun, operatorEmails, transitionRequest, type RunRow } from '@betang/db';
import type { WorkerDeps } from '../deps';
import type { RunDefinition, RunFailure } from '../harness/run-definition';
import { cleanupProvisionRun } from './provision-cleanup';
import { placementLedger } from './placement-ledger';
import { loadProvisionCtx, type ProvisionCtx } from './provision-context';
import { failureEmail } from './provision-emails';
import { awaitAgentStep } from './steps/await-agent.step';
import { awaitCloudInitStep } from './steps/await-cloud-init.step';
import { cloneStep, type CloneResult } from './steps/clone.step';
import { configureGuestStep } from './steps/configure-guest.step';
import { configureStep } from './steps/configure.step';
import { handOverStep } from './steps/hand-over.step';
import { pinHostKeyStep } from './steps/pin-host-key.step';
import { placeStep, type PlaceResult } from './steps/place.step';
import { reserveStep, type ReserveResult } from './steps/reserve.step';
import { resizeStep } from './steps/resize.step';
import { startStep } from './steps/start.step';
import { verifyStep } from './steps/verify.step';

/** The provisioning steps in order (architecture.md §5). */
export const PROVISION_STEPS = [
  reserveStep,
  placeStep,
  cloneStep,
  configureStep,
  resizeStep,
  startStep,
  awaitAgentStep,
  awaitCloudInitStep,
  pinHostKeyStep,
  configureGuestStep,
  verifyStep,
  handOverStep,
] as const;

/** One bilingual string for text columns (status_reason, error_message): Indonesian first. */
export function joinText(t: { id: string; en: string }): string {
  return `${t.id}\n\n${t.en}`;
}

/** Approved request → running, configured VM; see each step for its idempotency. */
export function provisionDefinition(deps: WorkerDeps): RunDefinition<ProvisionCtx> {
  return {
    name: 'vm.provision',
    steps: PROVISION_STEPS,
    load: (run) => loadProvisionCtx(deps, run),
    async onStart(run, ctx) {
      await deps.db.transaction().execute(async (tx) => {
        const moved = await transitionRequest(tx, run.requestId, ['queued', 'approved'], 'provisioning', { reason: null, onMismatch: 'skip' });
        if (moved) {
          await appendAudit(tx, {
            actorUserId: null, actorLabel: 'worker', institutionId: ctx.data.request.institutionId, action: 'vps_request.provisioning', targetType: 'vps_request', targetId: run.requestId,
            before: { status: ctx.data.request.status }, after: { status: 'provisioning', runId: run.id },
          });
        }
      });
    },
    target(results) {
      const clone = results.get('clone') as CloneResult | undefined;
      const reserve = results.get('reserve') as ReserveResult | undefined;
      const place = results.get('place') as PlaceResult | undefined;
      const node = clone?.node ?? place?.node;
      const vmid = clone?.vmid ?? reserve?.vmid;
      return { ...(node ? { node } : {}), ...(vmid ? { vmid } : {}) };
    },
    async onSuccess(run) {
      await deps.db.transaction().execute(async (tx) => {
        await finishRun(tx, run.id, { status: 'succeeded' });
        await appendAudit(tx, { actorUserId: null, actorLabel: 'worker', institutionId: null, action: 'provisioning_run.succeeded', targetType: 'provisioning_run', targetId: run.id });
      });
    },
    async onFinalFailure(run: RunRow, ctx: ProvisionCtx | undefined, failure: RunFailure) {
      const reason = joinText(failure.text);
      await deps.db.transaction().execute(async (tx) => {
        await finishRun(tx, run.id, { status: 'failed', errorCode: failure.code, errorMessage: reason, retryable: failure.retryable });
        const request = await tx.selectFrom('vpsRequests').select(['status', 'hostname', 'institutionId']).where('id', '=', run.requestId).executeTakeFirst();
        await transitionRequest(tx, run.requestId, ['queued', 'approved', 'provisioning'], 'failed', { reason, onMismatch: 'skip' });
        await appendAudit(tx, {
          actorUserId: null, actorLabel: 'worker', institutionId: request?.institutionId ?? null, action: 'vm.provision_failed', targetType: 'vps_request', targetId: run.requestId,
          before: { status: request?.status ?? null }, after: { status: 'failed', runId: run.id, code: failure.code, step: failure.step, node: failure.node ?? null, vmid: failure.vmid ?? null },
        });
        const email = failureEmail(await operatorEmails(tx), request?.hostname ?? ctx?.data.request.hostname ?? '?', run.requestId, run.id, failure);
        if (email) await enqueueEmail(tx, email, `run-failed:${run.id}:${run.attempt}`);
      });
      placementLedger.release(run.id);
      await cleanupProvisionRun(deps, run, PROVISION_STEPS.length, deps.logger);
    },
  };
}
