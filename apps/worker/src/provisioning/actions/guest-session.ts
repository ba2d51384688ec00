import type { GuestConnection } from '@betang/guest';
import { heldAddress } from '@betang/db';
import { permanent } from '../../harness/run-error';
import { addressGateway } from '../guest-gateway';
import type { ActionCtx } from './action-context';

/**
 * Opens an SSH connection to a built VM as the platform's ciuser, trusting only the host key
 * pinned at provisioning (the VM row's `hostKey`), at the address the request holds. A VM with
 * no pinned key or no address cannot be reached safely: a permanent, explained error. The caller
 * disposes the connection.
 */
export async function connectToVm(ctx: ActionCtx, at: { node: string; vmid: number }): Promise<GuestConnection> {
  const key = ctx.deps.provisioningKey;
  if (!key)
    throw permanent('PROVISIONING_KEY_MISSING', {
      id: 'Kunci SSH provisioning belum dikonfigurasi.',
      en: 'The provisioning SSH key is not configured.',
    });
  if (!ctx.vm.hostKey)
    throw permanent(
      'HOST_KEY_UNKNOWN',
      {
        id: `Kunci host SSH VM ${at.vmid} tidak tercatat; Betang tidak menyambung ke guest yang tidak dapat dibuktikan.`,
        en: `VM ${at.vmid} has no pinned SSH host key; Betang does not connect to a guest it cannot verify.`,
      },
      at,
    );
  const lease = await heldAddress(ctx.deps.db, ctx.vm.requestId);
  if (!lease)
    throw permanent('ADDRESS_UNKNOWN', { id: `VM ${at.vmid} tidak memegang alamat IP.`, en: `VM ${at.vmid} holds no IP address.` }, at);
  const gateway = ctx.deps.guest ?? addressGateway();
  const target = await gateway.endpoint({ vmid: at.vmid, node: at.node, address: lease.address });
  return gateway.connect({
    host: target.host,
    port: target.port,
    username: ctx.settings.PROVISION_CIUSER,
    privateKey: key.privateKey,
    pinnedHostKey: ctx.vm.hostKey,
    readyTimeoutMs: ctx.settings.GUEST_SSH_READY_SECONDS * 1000,
  });
}
