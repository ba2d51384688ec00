import { bilingualDetail } from '@betang/core';
import { PveTaskTimeoutError, waitForTask } from '@betang/proxmox';
import { awaitPowerState } from '../await-power-state';
import { actionStep } from './action-context';
import { locateStep } from './locate.step';

/** What the step's note says about a VM already in the wanted state. */
const POWER_STATE = {
  running: { id: 'sudah berjalan', en: 'already running' },
  stopped: { id: 'sudah mati', en: 'already stopped' },
} as const;

/** What the step's note says after each power action. */
const POWER_DONE = {
  start: { id: 'dinyalakan', en: 'started' },
  stop: { id: 'dimatikan paksa', en: 'stopped' },
  shutdown: { id: 'dimatikan dengan normal', en: 'shut down' },
  reboot: { id: 'dimulai ulang', en: 'restarted' },
} as const;

/** The power state the VM was brought to. */
type PowerResult = { status: string };

/** A guest's shutdown or reboot in progress on PVE, while the run is parked (epoch ms). */
type PowerMemo = { op: 'shutdown' | 'reboot'; upid: string; deadlineAt: number };

function isPowerMemo(memo: unknown): memo is PowerMemo {
  const m = memo as Partial<PowerMemo> | null | undefined;
  return (m?.op === 'shutdown' || m?.op === 'reboot') && typeof m.upid === 'string' && typeof m.deadlineAt === 'number';
}

/** How long one look at a shutdown/reboot task lasts before the run parks (a guest takes seconds to a few minutes). */
const LOOK_MS = 1_500;
/** Parked between two looks. */
const PARKED_MS = 3_000;

const WAITING = {
  shutdown: { id: 'menunggu tamu mati', en: 'waiting for the guest to shut down' },
  reboot: { id: 'menunggu tamu dimulai ulang', en: 'waiting for the guest to reboot' },
} as const;

/**
 * Looks at a power task for up to LOOK_MS: true when it ended well, false when it still runs
 * and the step's budget is not spent. A failed task throws PveTaskFailedError; one still running
 * past `deadlineAt` throws PveTaskTimeoutError (transient, as a wait of the whole budget did).
 */
async function taskEnded(pve: Parameters<typeof waitForTask>[0], upid: string, deadlineAt: number, signal: AbortSignal): Promise<boolean> {
  try {
    await waitForTask(pve, upid, { deadlineMs: Math.max(1, Math.min(LOOK_MS, deadlineAt - Date.now())), signal });
    return true;
  } catch (error) {
    if (error instanceof PveTaskTimeoutError && error.reason === 'deadline' && Date.now() < deadlineAt) return false;
    throw error;
  }
}

/**
 * `power`: start / stop / shutdown / reboot, each checking the power state first (start skips a
 * running VM, stop and shutdown skip a stopped one, reboot of a stopped VM starts it). A shutdown
 * waits PVE_SHUTDOWN_SECONDS for the guest, then PVE stops it hard: it never hangs on a guest
 * that ignores the power button. While PVE waits for the guest to shut down or reboot, the run
 * parks with the task's UPID as its memo: the resumed step looks at that task again and never
 * sends the power request twice.
 */
export const powerStep = actionStep<PowerResult>({
  key: 'power',
  weight: 70,
  label: { id: 'ubah status daya', en: 'change power state' },
  async run({ ctx, output, signal, memo, park }) {
    const { node, vmid } = output(locateStep);
    if (!node) throw new Error('power needs a located VM');
    const vm = ctx.pve.vm(node, vmid);
    const want = ctx.kind === 'stop' || ctx.kind === 'shutdown' ? 'stopped' : 'running';
    const deadlineMs = ctx.settings.PVE_TASK_SECONDS * 1000;
    const done = async (op: string) => {
      if (op !== 'reboot') await awaitPowerState(vm, want, deadlineMs, signal);
      return { result: { status: want }, detail: bilingualDetail(POWER_DONE[op as keyof typeof POWER_DONE] ?? { id: op, en: op }) };
    };
    const parkOn = (m: PowerMemo) => park(Date.now() + PARKED_MS, m, WAITING[m.op]);
    if (isPowerMemo(memo)) return (await taskEnded(ctx.pve, memo.upid, memo.deadlineAt, signal)) ? done(memo.op) : parkOn(memo);
    const status = (await vm.status()).status;
    const task = { deadlineMs, signal };
    if (ctx.kind !== 'reboot' && status === want)
      return { skipped: true, result: { status }, detail: bilingualDetail(POWER_STATE[status === 'running' ? 'running' : 'stopped']) };
    const op = ctx.kind === 'reboot' && status === 'stopped' ? 'start' : ctx.kind;
    // A bounded wait for the guest, then forceStop: the VM is off when the task ends, whatever
    // the guest does. Reboot has no forceStop in PVE's API.
    const timeoutSeconds = ctx.settings.PVE_SHUTDOWN_SECONDS;
    if (op === 'shutdown' || op === 'reboot') {
      const deadlineAt = Date.now() + deadlineMs;
      const look = { deadlineMs: LOOK_MS, signal };
      try {
        await (op === 'shutdown' ? vm.shutdown({ ...look, timeoutSeconds, forceStop: true }) : vm.reboot({ ...look, timeoutSeconds }));
      } catch (error) {
        if (error instanceof PveTaskTimeoutError && error.reason === 'deadline') return parkOn({ op, upid: error.upid, deadlineAt });
        throw error;
      }
      return done(op);
    }
    await (op === 'start' ? vm.start(task) : vm.stop(task));
    return done(op);
  },
});
