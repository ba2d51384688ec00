import { bilingualDetail } from '@betang/core';
import { listClusterVms } from '@betang/proxmox';
import { permanent } from '../../harness/run-error';
import { actionStep } from './action-context';

type Located = { node: string; vmid: number } | { node: null; vmid: number };

/** `locate`: where the VM is now (it may have been migrated). Read-only. Absent is an error except for decommission. */
export const locateStep = actionStep<Located>({
  key: 'locate',
  weight: 10,
  label: { id: 'cari VM di klaster', en: 'locate the VM in the cluster' },
  async run({ ctx }) {
    const vmid = ctx.vm.vmid as number;
    const entry = (await listClusterVms(ctx.pve)).find((v) => v.vmid === vmid);
    if (!entry) {
      if (ctx.kind === 'decommission')
        return {
          result: { node: null, vmid },
          detail: bilingualDetail({ id: `VM ${vmid} sudah tidak ada`, en: `VM ${vmid} is already gone` }),
        };
      throw permanent(
        'VM_MISSING',
        {
          id: `VM ${vmid} tidak ada di klaster; periksa temuan rekonsiliasi.`,
          en: `VM ${vmid} is not in the cluster; check the reconciliation findings.`,
        },
        { vmid },
      );
    }
    return {
      result: { node: entry.node, vmid },
      detail: bilingualDetail({ id: `VM ${vmid} di ${entry.node}`, en: `VM ${vmid} on ${entry.node}` }),
    };
  },
});
