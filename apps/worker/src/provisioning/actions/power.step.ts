import type { StepDef } from '../../harness/run-definition';
import { awaitPowerState } from '../await-power-state';
import { powerParams } from './power-params';
import { readVmStatus, runTask, vmPath } from '../pve-vm';
import type { ActionCtx } from './action-context';
import type { Located } from './locate.step';

/**
 * `power`: start / stop / shutdown / reboot, each checking the power state first (start skips a
 * running VM, stop and shutdown skip a stopped one, reboot of a stopped VM starts it). A shutdown
 * waits PVE_SHUTDOWN_SECONDS for the guest, then PVE stops it hard: it never hangs on a guest
 * that ignores the power button.
 */
export const powerStep: StepDef<ActionCtx> = {
  key: 'power',
  weight: 70,
  label: { id: 'ubah status daya', en: 'change power state' },
  async run({ ctx, result, signal }) {
    const { node, vmid } = result<Located>('locate');
    if (!node) throw new Error('power needs a located VM');
    const status = (await readVmStatus(ctx.pve, node, vmid)).status;
    const deadline = ctx.settings.PVE_TASK_SECONDS * 1000;
    const path = vmPath(node, vmid);
    const want = ctx.kind === 'stop' || ctx.kind === 'shutdown' ? 'stopped' : 'running';
    if (ctx.kind !== 'reboot' && status === want) return { skipped: true, result: { status }, detail: `sudah/already ${status}` };
    const op = ctx.kind === 'reboot' && status === 'stopped' ? 'start' : ctx.kind;
    await runTask(ctx.pve, 'POST', `${path}/status/${op}`, powerParams(op, ctx.settings.PVE_SHUTDOWN_SECONDS), deadline, signal);
    if (op !== 'reboot') await awaitPowerState(ctx.pve, node, vmid, want, deadline, signal);
    return { result: { status: want }, detail: `${op} OK` };
  },
};
