import { bilingualDetail } from '@betang/core';
import { PlacementLedger } from '../placement-ledger';
import { provisionStep, STOPPED_VMID } from '../provision-context';
import { cloneStep } from './clone.step';

/** `start`: powers the VM on; skipped when it is already running. */
export const startStep = provisionStep({
  key: 'start',
  weight: 5,
  label: { id: 'nyalakan VM', en: 'start the VM' },
  async run({ ctx, output, signal, run, cache }) {
    const { vmid, node } = output(cloneStep);
    // A VM this attempt cloned itself is known to be stopped; otherwise ask PVE (taken once:
    // an in-process retry after a failed start asks again).
    const knownStopped = cache.take(STOPPED_VMID) === vmid;
    const vm = ctx.pve.vm(node, vmid);
    if (!knownStopped && (await vm.status()).status === 'running') {
      await new PlacementLedger(ctx.deps.db).started(run.id);
      return { skipped: true, detail: bilingualDetail({ id: 'sudah berjalan', en: 'already running' }) };
    }
    await vm.start({ deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal });
    // Its memory now shows in the node's statistics (after PVE's ~10 s lag).
    await new PlacementLedger(ctx.deps.db).started(run.id);
    return { detail: bilingualDetail({ id: 'dinyalakan', en: 'started' }) };
  },
});
