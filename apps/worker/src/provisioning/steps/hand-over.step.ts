import { bilingualDetail } from '@betang/core';
import { appendAudit, enqueueEmail, resolveCleanupFindingsOfRequest, transitionRequest, transitionVm } from '@betang/db';
import { provisionStep } from '../provision-context';
import { readyEmail } from '../provision-emails';
import { cloneStep } from './clone.step';
import { reserveStep } from './reserve.step';

/**
 * `hand-over`: in one transaction the VM row becomes running, the request active (only from
 * provisioning: a second run changes nothing and audits nothing), and the "VPS ready" e-mail is
 * written to the outbox with a dedup key, so it is sent once. Open `cleanup_pending` findings of
 * earlier failed runs of the request are resolved: the VM they worried about is now handed over.
 */
export const handOverStep = provisionStep({
  key: 'hand-over',
  weight: 2,
  label: { id: 'serah terima', en: 'hand over' },
  async run({ ctx, output, run }) {
    const { vmid, node } = output(cloneStep);
    const { vmId, lease } = output(reserveStep);
    const { request } = ctx.data;
    await ctx.deps.db.transaction().execute(async (tx) => {
      await transitionVm(tx, vmId, ['reserved', 'provisioning', 'running', 'missing'], 'running', { fields: { node, vmid } });
      const moved = await transitionRequest(tx, request.id, ['provisioning'], 'active', { reason: null, onMismatch: 'skip' });
      if (moved) {
        await appendAudit(tx, {
          actorUserId: null,
          actorLabel: 'worker',
          institutionId: request.institutionId,
          action: 'vm.provisioned',
          targetType: 'vps_request',
          targetId: request.id,
          before: { status: 'provisioning' },
          after: { status: 'active', vmid, node, address: lease.address, runId: run.id },
        });
      }
      await resolveCleanupFindingsOfRequest(tx, request.id);
      const email = readyEmail(ctx, lease.address, vmid);
      if (email) await enqueueEmail(tx, email, `vps-ready:${request.id}:${run.id}`);
    });
    return { detail: bilingualDetail({ id: `aktif: ${lease.address}`, en: `active: ${lease.address}` }) };
  },
});
