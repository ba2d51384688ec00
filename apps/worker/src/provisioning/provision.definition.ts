import { appendAudit, getVmByRequest, transitionRequest, upsertFinding } from '@betang/db';
import type { WorkerDeps } from '../deps';
import type { RunDefinition } from '../harness/run-definition';
import { joinText } from '../harness/run-error';
import { loadProvisionCtx, type ProvisionCtx } from './provision-context';
import { awaitAgentStep } from './steps/await-agent.step';
import { awaitCloudInitStep } from './steps/await-cloud-init.step';
import { cloneStep } from './steps/clone.step';
import { configureGuestStep } from './steps/configure-guest.step';
import { configureStep } from './steps/configure.step';
import { handOverStep } from './steps/hand-over.step';
import { pinHostKeyStep } from './steps/pin-host-key.step';
import { placeStep } from './steps/place.step';
import { publicEndpointStep } from './steps/public-endpoint.step';
import { reserveStep } from './steps/reserve.step';
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
  publicEndpointStep,
  verifyStep,
  handOverStep,
] as const;

/**
 * Approved request → running, configured VM; see each step for its idempotency and its
 * compensation (clone destroys its own VM, place forgets its placement, reserve releases vmid
 * and address). The harness writes the run's outcome, audit entry and e-mail.
 */
export function provisionDefinition(deps: WorkerDeps): RunDefinition<ProvisionCtx, WorkerDeps> {
  return {
    name: 'vm.provision',
    steps: PROVISION_STEPS,
    env: deps,
    load: (run) => loadProvisionCtx(deps, run),
    async onStart(run, ctx) {
      await deps.db.transaction().execute(async (tx) => {
        const moved = await transitionRequest(tx, run.requestId, ['queued', 'approved'], 'provisioning', {
          reason: null,
          onMismatch: 'skip',
        });
        if (moved) {
          await appendAudit(tx, {
            actorUserId: null,
            actorLabel: 'worker',
            institutionId: ctx.data.request.institutionId,
            action: 'vps_request.provisioning',
            targetType: 'vps_request',
            targetId: run.requestId,
            before: { status: ctx.data.request.status },
            after: { status: 'provisioning', runId: run.id },
          });
        }
      });
    },
    target(outputs) {
      const clone = outputs.get(cloneStep);
      const node = clone?.node ?? outputs.get(placeStep)?.node;
      const vmid = clone?.vmid ?? outputs.get(reserveStep)?.vmid;
      return { ...(node ? { node } : {}), ...(vmid ? { vmid } : {}) };
    },
    onSucceeded: async (_tx, run) => ({
      audit: {
        actorUserId: null,
        actorLabel: 'worker',
        institutionId: null,
        action: 'provisioning_run.succeeded',
        targetType: 'provisioning_run',
        targetId: run.id,
      },
    }),
    async onFailed(tx, run, ctx, failure) {
      const request = await tx
        .selectFrom('vpsRequests')
        .select(['status', 'hostname', 'institutionId'])
        .where('id', '=', run.requestId)
        .executeTakeFirst();
      await transitionRequest(tx, run.requestId, ['queued', 'approved', 'provisioning'], 'failed', {
        reason: joinText(failure.text),
        onMismatch: 'skip',
      });
      return {
        subject: request?.hostname ?? ctx?.data.request.hostname ?? '?',
        audit: {
          actorUserId: null,
          actorLabel: 'worker',
          institutionId: request?.institutionId ?? null,
          action: 'vm.provision_failed',
          targetType: 'vps_request',
          targetId: run.requestId,
          before: { status: request?.status ?? null },
          after: {
            status: 'failed',
            runId: run.id,
            code: failure.code,
            step: failure.step,
            node: failure.node ?? null,
            vmid: failure.vmid ?? null,
          },
        },
      };
    },
    async onRollbackFailed(run, c) {
      const vm = await getVmByRequest(deps.db, run.requestId).catch(() => undefined);
      await upsertFinding(deps.db, {
        kind: 'cleanup_pending',
        fingerprint: `cleanup_pending:${run.id}`,
        institutionId: vm?.institutionId ?? null,
        vmId: vm?.id ?? null,
        runId: run.id,
        vmid: vm?.vmid ?? null,
        node: vm?.node ?? null,
        message: { id: `Pembersihan run gagal: ${c.text.id}`, en: `Cleaning up the run failed: ${c.text.en}` },
      });
    },
  };
}
