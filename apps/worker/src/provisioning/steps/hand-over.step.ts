import { bilingualDetail, vpsReadyMessage } from '@betang/core';
import {
  appendAudit,
  enqueueEmail,
  heldPublicEndpoint,
  notify,
  resolveCleanupFindingsOfRequest,
  transitionRequest,
  transitionVm,
} from '@betang/db';
import { provisionStep } from '../provision-context';
import { readyEmail } from '../provision-emails';
import { cloneStep } from './clone.step';
import { reserveStep } from './reserve.step';

/**
 * `hand-over`: in one transaction the VM row becomes running, the request active (only from
 * provisioning: a second run changes nothing and audits nothing), and the "VPS ready" e-mail is
 * sent through the notification service (and to the request's contact by e-mail), de-duplicated by the run, so it is sent once;
 * it names the public address and its ports when the VPS got one. Open `cleanup_pending` findings of
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
      // Read from the table, not the public-endpoint step's memo: the held endpoint is the truth.
      const endpoint = (await heldPublicEndpoint(tx, request.id)) ?? null;
      const email = readyEmail(ctx, lease.address, vmid, endpoint);
      // The requester hears through the notification service (in-app, and e-mail unless turned off);
      // the request's contact person, who may have no account, still gets the e-mail.
      const message = vpsReadyMessage(request, lease.address, run.id, endpoint);
      await notify(tx, { ...message, ...(email ? { body: email.text } : {}), recipients: [request.requestedBy] });
      const requesterEmail = ctx.data.requester?.email.toLowerCase();
      const others = email?.to.filter((to) => to.toLowerCase() !== requesterEmail) ?? [];
      if (email && others.length > 0)
        await enqueueEmail(tx, { ...email, to: others, link: message.link ?? undefined }, `vps-ready:${request.id}:${run.id}`);
    });
    return { detail: bilingualDetail({ id: `aktif: ${lease.address}`, en: `active: ${lease.address}` }) };
  },
});
