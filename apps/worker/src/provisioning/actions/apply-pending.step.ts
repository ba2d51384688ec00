import { bilingualDetail } from '@betang/core';
import { listActiveTasks, waitForTask } from '@betang/proxmox';
import { actionStep } from './action-context';
import { locateStep } from './locate.step';

/** Whether the VM was rebooted to apply pending cores/memory. */
type ApplyPendingResult = { rebooted: boolean; pending: string[] };

const NEEDS_REBOOT = ['cores', 'sockets', 'memory'] as const;

/**
 * `reboot`: a running VM takes new cores and memory only when QEMU starts again (Proxmox keeps
 * them as pending changes); this reboots it, at the time the run was scheduled for. Decided from
 * Proxmox's own pending state, not from the memo: a VM with nothing pending (already rebooted,
 * stopped — a stopped VM's config changes apply directly) is not rebooted, and a reboot task of
 * this VM still running (an earlier attempt's) is waited for instead of starting another: the
 * VM reboots once however often the step runs.
 */
export const applyPendingStep = actionStep<ApplyPendingResult>({
  key: 'reboot',
  weight: 20,
  label: { id: 'mulai ulang untuk menerapkan core/memori', en: 'reboot to apply cores/memory' },
  async run({ ctx, output, signal }) {
    const { node, vmid } = output(locateStep);
    if (!node) throw new Error('reboot needs a located VM');
    const vm = ctx.pve.vm(node, vmid);
    const task = { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal };
    // A reboot an earlier attempt started (the worker died while it ran) is waited for, not repeated.
    const running = (await listActiveTasks(ctx.pve, node, { signal })).find((t) => t.type === 'qmreboot' && t.id === String(vmid));
    if (running) await waitForTask(ctx.pve, running.upid, task);
    const [withPending, current, status] = await Promise.all([vm.config(), vm.config({ current: true }), vm.status()]);
    const pending = NEEDS_REBOOT.filter((key) => withPending[key] !== current[key]);
    if (pending.length === 0) {
      if (running)
        return {
          result: { rebooted: true, pending: [] },
          detail: bilingualDetail({ id: 'menunggu mulai ulang yang sudah berjalan', en: 'waited for the restart already running' }),
        };
      return {
        skipped: true,
        result: { rebooted: false, pending: [] },
        detail: bilingualDetail({ id: 'tidak ada perubahan tertunda', en: 'nothing pending' }),
      };
    }
    if (status.status !== 'running')
      return {
        skipped: true,
        result: { rebooted: false, pending },
        detail: bilingualDetail({ id: 'VM mati: diterapkan saat dinyalakan', en: 'stopped: applied at the next start' }),
      };
    await vm.reboot({ ...task, timeoutSeconds: ctx.settings.PVE_SHUTDOWN_SECONDS });
    return { result: { rebooted: true, pending }, detail: `reboot: ${pending.join(', ')}` };
  },
});
