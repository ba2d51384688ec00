import { updateVm } from '@betang/db';
import { permanent } from '../../harness/run-error';
import { KNOWN_CONFIG, provisionStep, takeKnownConfig, type ProvisionCtx } from '../provision-context';
import { macOf } from '../pve-vm';
import { smbiosUuidOf } from '../vm-ownership-proof';
import { vmConfigParams } from '../vm-spec';
import { cloneStep } from './clone.step';
import { reserveStep } from './reserve.step';

type ConfigureResult = { mac: string };

/** The platform's public key, or a clear error when the provisioning key is not configured. */
export function platformPublicKey(ctx: ProvisionCtx): string {
  const key = ctx.deps.provisioningKey?.publicKey;
  if (!key)
    throw permanent('PROVISIONING_KEY_MISSING', {
      id: 'Kunci SSH provisioning platform belum dikonfigurasi (PROVISION_SSH_KEY_FILE).',
      en: 'The platform provisioning SSH key is not configured (PROVISION_SSH_KEY_FILE).',
    });
  return key;
}

/**
 * `configure`: cores, memory, net0 (bridge, VLAN, firewall; the clone's MAC kept), ipconfig0,
 * nameserver, searchdomain, ciuser, sshkeys (the request's keys + the platform key), tags incl.
 * the run tag, description with the owner marker, agent=1, onboot=1, protection=1. Absolute values: applying
 * them again changes nothing. Reads back the config for net0's MAC.
 */
export const configureStep = provisionStep<ConfigureResult>({
  key: 'configure',
  weight: 10,
  label: { id: 'konfigurasi VM', en: 'configure the VM' },
  async run({ ctx, output, signal, cache }) {
    const { vmid, node } = output(cloneStep);
    const { lease, vmId } = output(reserveStep);
    // The clone of this same attempt read the config already; otherwise (retry, restart) read it.
    const vm = ctx.pve.vm(node, vmid);
    const before = takeKnownConfig(cache, vmid, node) ?? (await vm.config({ current: true }));
    const keptMac = macOf(before.net0);
    const params = vmConfigParams(ctx, lease, keptMac, platformPublicKey(ctx));
    await vm.updateConfig(params, { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal });
    // net0 was written with the clone's MAC: read it back only when PVE had to generate one.
    const mac = keptMac ?? macOf((await vm.config({ current: true })).net0);
    if (!mac)
      throw permanent('NET0_MISSING', {
        id: `VM ${vmid} tidak punya MAC pada net0 setelah konfigurasi.`,
        en: `VM ${vmid} has no MAC on net0 after configuration.`,
      });
    // The clone's SMBIOS uuid: with the vmid, ownership survives an operator editing Notes or tags.
    const smbiosUuid = smbiosUuidOf(before);
    await updateVm(ctx.deps.db, vmId, { macAddress: mac, ...(smbiosUuid ? { smbiosUuid } : {}) });
    // Disks are untouched by this step: resize, next in this attempt, may use the same config.
    cache.put(KNOWN_CONFIG, { vmid, node, config: before });
    const out: ConfigureResult = { mac };
    return { result: out, detail: `net0 ${mac}, ${ctx.data.request.cores} vCPU, ${ctx.data.request.memoryMiB} MiB` };
  },
});
