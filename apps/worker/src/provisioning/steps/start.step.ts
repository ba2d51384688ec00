import type { StepDef } from '../../harness/run-definition';
import { placementLedger } from '../placement-ledger';
import type { ProvisionCtx } from '../provision-context';
import type { CloneResult } from './clone.step';

/** `start`: powers the VM on; skipped when it is already running. */
export const startStep: StepDef<ProvisionCtx> = {
  key: 'start',
  weight: 5,
  label: { id: 'nyalakan VM', en: 'start the VM' },
  async run({ ctx, result, signal, run }) {
    const { vmid, node } = result<CloneResult>('clone');
    // A VM this attempt cloned itself is known to be stopped; otherwise ask PVE (taken once:
    // an in-process retry after a failed start asks again).
    const knownStopped = ctx.known.stoppedVmid === vmid;
    delete ctx.known.stoppedVmid;
    const vm = ctx.pve.vm(node, vmid);
    if (!knownStopped && (await vm.status()).status === 'running') {
      placementLedger.started(run.id);
      return { skipped: true, detail: 'sudah berjalan / already running' };
    }
    await vm.start({ deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal });
    // Its memory now shows in the node's statistics (after PVE's ~10 s lag).
    placementLedger.started(run.id);
    return { detail: 'dinyalakan / started' };
  },
};
