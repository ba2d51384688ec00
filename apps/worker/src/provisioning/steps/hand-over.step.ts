import { appendAudit, enqueueEmail, resolveCleanupFindingsOfRequest, transitionRequest, updateVm } from '@betang/db';
import type { StepDef } from '../../harness/run-definition';
import type { ProvisionCtx } from '../provision-context';
import { readyEmail } from '../provision-emails';
import type { CloneResult } from './clone.step';
import type { ReserveResult } from './reserve.step';

/**
 * `hand-over`: in one transaction the VM row becomes running, the request active (only from
 * provisioning: a second run changes nothing and audits nothing), and the "VPS ready" e-mail is
 * written to the outbox with a dedup key, so it is sent once. Open `cleanup_pending` findings of
 * earlier failed runs of the request are resolved: the VM they worried about is now handed over.
 */
export const handOverStep: StepDef<ProvisionCtx> = {
  key: 'hand-over',
  weight: 2,
  label: { id: 'serah terima', en: 'hand over' },
  async run({ ctx, result, run }) {
    const { vmid, node } = result<CloneResult>('clone');
    const { vmId, lease } = result<ReserveResult>('reserve');
    const { request } = ctx.data;
    await ctx.deps.db.transaction().execute(async (tx) => {
      await updateVm(tx, vmId, { state: 'running', node, vmid });
      const moved = await transitionRequest(tx, request.id, ['provisioning'], 'active', { reason: null, onMismatch: 'skip' });
      if (moved) {
        await appendAudit(tx, {
          actorUserId: null, actorLabel: 'worker', institutionId: request.institutionId, action: 'vm.provisioned', targetType: 'vps_request', targetId: request.id,
          before: { status: 'provisioning' }, after: { status: 'active', vmid, node, address: lease.address, runId: run.id },
        });
      }
      await resolveCleanupFindingsOfRequest(tx, request.id);
      const email = readyEmail(ctx, lease.address, vmid);
      if (email) await enqueueEmail(tx, email, `vps-ready:${request.id}:${run.id}`);
    });
    return { detail: `aktif/active: ${lease.address}` };
  },
};
