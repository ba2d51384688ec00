import { bilingualDetail } from '@betang/core';
import { configureFirewall, type StepReport } from '@betang/guest';
import { permanent } from '../../harness/run-error';
import { actionStep } from './action-context';
import { connectToVm } from './guest-session';
import { locateStep } from './locate.step';

/**
 * `ports`: brings the guest's firewall (ufw) to exactly the change's open ports, with the same
 * guest step the provisioning used (22 always open). Skipped when the change leaves the ports
 * alone. A stopped VM cannot be configured: a permanent error that says to start it and retry.
 * Safe to repeat: the step changes only what differs.
 */
export const openPortsStep = actionStep<StepReport | null>({
  key: 'ports',
  weight: 15,
  label: { id: 'atur port terbuka di firewall guest', en: 'set the open ports on the guest firewall' },
  async run({ ctx, output }) {
    const at = output(locateStep);
    if (!at.node) throw new Error('ports needs a located VM');
    const ports = ctx.params.ports;
    if (ports === undefined)
      return { skipped: true, result: null, detail: bilingualDetail({ id: 'port tidak berubah', en: 'ports unchanged' }) };
    const status = (await ctx.pve.vm(at.node, at.vmid).status()).status;
    if (status !== 'running') {
      throw permanent(
        'VM_NOT_RUNNING',
        {
          id: `VM ${at.vmid} mati; firewall-nya tidak dapat diubah. Nyalakan VM lalu ajukan perubahan port lagi.`,
          en: `VM ${at.vmid} is stopped; its firewall cannot be changed. Start the VM and ask for the port change again.`,
        },
        { node: at.node, vmid: at.vmid },
      );
    }
    const conn = await connectToVm(ctx, { node: at.node, vmid: at.vmid });
    try {
      const report = await configureFirewall(conn, ports);
      return {
        result: report,
        detail: report.changed ? report.detail.join('; ') : bilingualDetail({ id: 'sudah sesuai', en: 'already in place' }),
      };
    } finally {
      conn.dispose();
    }
  },
});
