import type { StepDef } from '../../harness/run-definition';
import type { ProvisionCtx } from '../provision-context';
import { readVmStatus, runTask, vmPath } from '../pve-vm';
import type { CloneResult } from './clone.step';

/** `start`: powers the VM on; skipped when it is already running. */
export const startStep: StepDef<ProvisionCtx> = {
  key: 'start',
  weight: 5,
  label: { id: 'nyalakan VM', en: 'start the VM' },
  async run({ ctx, result, signal }) {
    const { vmid, node } = result<CloneResult>('clone');
    if ((await readVmStatus(ctx.pve, node, vmid)).status === 'running') return { skipped: true, detail: 'sudah berjalan / already running' };
    await runTask(ctx.pve, 'POST', `${vmPath(node, vmid)}/status/start`, {}, ctx.settings.PVE_TASK_SECONDS * 1000, signal);
    return { detail: 'dinyalakan / started' };
  },
};
