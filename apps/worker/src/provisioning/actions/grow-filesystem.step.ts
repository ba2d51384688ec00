import { bilingualDetail } from '@betang/core';
import { growRootFilesystem, type GrowFilesystemReport } from '@betang/guest';
import { actionStep } from './action-context';
import { connectToVm } from './guest-session';
import { locateStep } from './locate.step';

/**
 * `grow-filesystem`: after the disk grew on Proxmox, grows the root partition and filesystem in
 * the running guest over SSH (growpart + resize2fs, online). Skipped when this change does not
 * grow the disk, and for a stopped VM (the cloud image's growpart and resizefs run at every boot).
 * Safe to repeat: both tools only grow what is smaller than its container.
 */
export const growFilesystemStep = actionStep<GrowFilesystemReport | null>({
  key: 'grow-filesystem',
  weight: 15,
  label: { id: 'perbesar sistem berkas di guest', en: 'grow the filesystem in the guest' },
  async run({ ctx, output }) {
    const at = output(locateStep);
    if (!at.node) throw new Error('grow-filesystem needs a located VM');
    const { diskGiB, from, before } = ctx.params;
    const was = before?.diskGiB ?? from?.diskGiB;
    if (diskGiB === undefined || (was !== undefined && diskGiB <= was))
      return { skipped: true, result: null, detail: bilingualDetail({ id: 'disk tidak berubah', en: 'disk unchanged' }) };
    const status = (await ctx.pve.vm(at.node, at.vmid).status()).status;
    if (status !== 'running')
      return {
        skipped: true,
        result: null,
        detail: bilingualDetail({ id: 'VM mati: cloud-init memperbesar saat boot', en: 'stopped: cloud-init grows it at boot' }),
      };
    const conn = await connectToVm(ctx, { node: at.node, vmid: at.vmid });
    try {
      const report = await growRootFilesystem(conn);
      return {
        result: report,
        detail: report.changes.length
          ? report.changes.join('; ')
          : bilingualDetail({ id: `sudah penuh (${report.bytesAfter} B)`, en: `already full (${report.bytesAfter} B)` }),
      };
    } finally {
      conn.dispose();
    }
  },
});
