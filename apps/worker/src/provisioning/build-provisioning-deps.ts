import { readFileSync } from 'node:fs';
import type { WorkerConfig } from '@betang/config';
import { createPveClient, type PveCallListener, type PveClient } from '@betang/proxmox';
import type { ProvisioningKey } from '../deps';
import { addressGateway, simulatorGateway, type GuestGateway } from './guest-gateway';

type ProvisioningDeps = { pve?: PveClient; guest: GuestGateway; provisioningKey?: ProvisioningKey };

/**
 * Builds the Proxmox client, the guest gateway and the provisioning key from the worker config
 * (`onPveCall` observes every PVE call, for /metrics).
 * Reads files once at start (CA, key pair) so a missing file stops the process at boot, not in
 * the middle of a run. Without PVE_* settings, provisioning runs fail with a clear reason.
 */
export function buildProvisioningDeps(config: WorkerConfig, options: { onPveCall?: PveCallListener } = {}): ProvisioningDeps {
  const ca = config.PVE_CA_FILE ? readFileSync(config.PVE_CA_FILE, 'utf8') : undefined;
  const pve =
    config.PVE_URL && config.PVE_TOKEN_ID && config.PVE_TOKEN_SECRET
      ? createPveClient({
          baseUrl: config.PVE_URL,
          tokenId: config.PVE_TOKEN_ID,
          tokenSecret: config.PVE_TOKEN_SECRET,
          ...(ca ? { ca } : { fingerprint: config.PVE_FINGERPRINT }),
          ...(options.onPveCall ? { onCall: options.onPveCall } : {}),
        })
      : undefined;
  let guest = addressGateway();
  if (config.GUEST_SSH_TARGET === 'simulator') {
    if (!config.PVE_URL || !ca) throw new Error('GUEST_SSH_TARGET=simulator needs PVE_URL and PVE_CA_FILE (the simulator certificate)');
    guest = simulatorGateway({ baseUrl: config.PVE_URL[0] as string, ca });
  }
  const provisioningKey = config.PROVISION_SSH_KEY_FILE
    ? {
        privateKey: readFileSync(config.PROVISION_SSH_KEY_FILE, 'utf8'),
        publicKey: readFileSync(`${config.PROVISION_SSH_KEY_FILE}.pub`, 'utf8').trim(),
      }
    : undefined;
  return { ...(pve ? { pve } : {}), guest, ...(provisioningKey ? { provisioningKey } : {}) };
}
