import { bilingualDetail } from '@betang/core';
import { permanent } from '../../harness/run-error';
import { destroyOwnedVm, type DestroyOutcome } from '../destroy-owned-vm';
import { actionStep } from './action-context';
import { locateStep } from './locate.step';

/**
 * `destroy`: stop and destroy with purge — only a VM carrying the marker of the provision run
 * that built it, or the SMBIOS uuid recorded when it was built (an operator may have edited its
 * Notes or tags). Safe to repeat: an absent VM is already done.
 */
export const destroyStep = actionStep<DestroyOutcome>({
  key: 'destroy',
  weight: 70,
  label: { id: 'hapus VM', en: 'destroy the VM' },
  async run({ ctx, output, signal }) {
    const { node, vmid } = output(locateStep);
    if (!node) return { skipped: true, detail: bilingualDetail({ id: 'VM sudah tidak ada', en: 'VM is already gone' }) };
    if (!ctx.marker)
      throw permanent('MARKER_UNKNOWN', {
        id: `Tidak ada run provisioning yang berhasil untuk VM ${vmid}; Betang tidak menghapus VM yang tidak dapat dibuktikan miliknya.`,
        en: `No successful provision run is known for VM ${vmid}; Betang does not destroy a VM it cannot prove it owns.`,
      });
    const r = await destroyOwnedVm(ctx.pve, vmid, ctx.marker, ctx.settings.PVE_TASK_SECONDS * 1000, signal, ctx.vm.smbiosUuid);
    if (r.outcome === 'not-ours') {
      throw permanent(
        'NOT_OURS',
        {
          id: `VM ${vmid} di node ${node} tidak membawa penanda Betang (${r.state}); tidak dihapus. Operator harus memeriksanya.`,
          en: `VM ${vmid} on node ${node} does not carry Betang's marker (${r.state}); not destroyed. An operator must check it.`,
        },
        { node, vmid },
      );
    }
    return { result: r, detail: `VM ${vmid}: ${r.outcome}` };
  },
});
