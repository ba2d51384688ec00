import { bilingualDetail } from '@betang/core';
import { listActiveTasks, PveTaskTimeoutError, waitForTask } from '@betang/proxmox';
import { actionStep } from './action-context';
import { locateStep } from './locate.step';

/** Whether the VM was rebooted to apply pending cores/memory. */
type ApplyPendingResult = { rebooted: boolean; pending: string[] };

const NEEDS_REBOOT = ['cores', 'sockets', 'memory'] as const;

/** A reboot in progress on PVE while the run is parked (epoch ms). */
type RebootMemo = { upid: string; deadlineAt: number; pending: string[] };

function isRebootMemo(memo: unknown): memo is RebootMemo {
  const m = memo as Partial<RebootMemo> | null | undefined;
  return typeof m?.upid === 'string' && typeof m.deadlineAt === 'number' && Array.isArray(m.pending);
}

/** How long one look at the reboot task lasts before the run parks. */
const LOOK_MS = 1_500;
/** Parked between two looks. */
const PARKED_MS = 3_000;

const WAITING = { id: 'menunggu VM dimulai ulang', en: 'waiting for the VM to restart' };

/**
 * `reboot`: a running VM takes new cores and memory only when QEMU starts again (Proxmox keeps
 * them as pending changes); this reboots it, at the time the run was scheduled for. Decided from
 * Proxmox's own pending state, not from the memo: a VM with nothing pending (already rebooted,
 * stopped — a stopped VM's config changes apply directly) is not rebooted, and a reboot task of
 * this VM still running (an earlier attempt's) is waited for instead of starting another: the
 * VM reboots once however often the step runs. While the reboot runs, the run parks with the
 * task's UPID as its memo and the resumed step looks at that task again.
 */
export const applyPendingStep = actionStep<ApplyPendingResult>({
  key: 'reboot',
  weight: 20,
  label: { id: 'mulai ulang untuk menerapkan core/memori', en: 'reboot to apply cores/memory' },
  async run({ ctx, output, signal, memo, park }) {
    const { node, vmid } = output(locateStep);
    if (!node) throw new Error('reboot needs a located VM');
    const vm = ctx.pve.vm(node, vmid);
    const task = { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal };
    const rebooted = (pending: string[]) => ({ result: { rebooted: true, pending }, detail: `reboot: ${pending.join(', ')}` });
    if (isRebootMemo(memo)) {
      try {
        await waitForTask(ctx.pve, memo.upid, { deadlineMs: Math.max(1, Math.min(LOOK_MS, memo.deadlineAt - Date.now())), signal });
      } catch (error) {
        if (error instanceof PveTaskTimeoutError && error.reason === 'deadline' && Date.now() < memo.deadlineAt)
          return park(Date.now() + PARKED_MS, memo, WAITING);
        throw error;
      }
      return rebooted(memo.pending);
    }
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
    const deadlineAt = Date.now() + task.deadlineMs;
    try {
      await vm.reboot({ deadlineMs: LOOK_MS, signal, timeoutSeconds: ctx.settings.PVE_SHUTDOWN_SECONDS });
    } catch (error) {
      if (error instanceof PveTaskTimeoutError && error.reason === 'deadline')
        return park(Date.now() + PARKED_MS, { upid: error.upid, deadlineAt, pending } satisfies RebootMemo, WAITING);
      throw error;
    }
    return rebooted(pending);
  },
});
