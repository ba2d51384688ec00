import { bilingualDetail } from '@betang/core';
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

/**
 * `power`: start / stop / shutdown / reboot, each checking the power state first (start skips a
 * running VM, stop and shutdown skip a stopped one, reboot of a stopped VM starts it). A shutdown
 * waits PVE_SHUTDOWN_SECONDS for the guest, then PVE stops it hard: it never hangs on a guest
 * that ignores the power button.
 */
export const powerStep = actionStep<PowerResult>({
  key: 'power',
  weight: 70,
  label: { id: 'ubah status daya', en: 'change power state' },
  async run({ ctx, output, signal }) {
    const { node, vmid } = output(locateStep);
    if (!node) throw new Error('power needs a located VM');
    const vm = ctx.pve.vm(node, vmid);
    const status = (await vm.status()).status;
    const task = { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal };
    const want = ctx.kind === 'stop' || ctx.kind === 'shutdown' ? 'stopped' : 'running';
    if (ctx.kind !== 'reboot' && status === want)
      return { skipped: true, result: { status }, detail: bilingualDetail(POWER_STATE[status === 'running' ? 'running' : 'stopped']) };
    const op = ctx.kind === 'reboot' && status === 'stopped' ? 'start' : ctx.kind;
    // A bounded wait for the guest, then forceStop: the VM is off when the task ends, whatever
    // the guest does. Reboot has no forceStop in PVE's API.
    const timeoutSeconds = ctx.settings.PVE_SHUTDOWN_SECONDS;
    await (op === 'start'
      ? vm.start(task)
      : op === 'stop'
        ? vm.stop(task)
        : op === 'shutdown'
          ? vm.shutdown({ ...task, timeoutSeconds, forceStop: true })
          : vm.reboot({ ...task, timeoutSeconds }));
    if (op !== 'reboot') await awaitPowerState(vm, want, task.deadlineMs, signal);
    return { result: { status: want }, detail: bilingualDetail(POWER_DONE[op as keyof typeof POWER_DONE] ?? { id: op, en: op }) };
  },
});
