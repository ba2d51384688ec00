import { agentEnabled } from '../guest/agent-model';
import { die } from '../server/pve-error';
import type { ParamSchema } from '../server/params';
import { P } from '../server/params';
import type { Route, RouteContext } from '../server/router';
import type { Sim } from '../sim-context';
import { beforeWorker, ownerOf, rootOnly } from '../sim-context';
import { nicsOnlyOn, parseNet } from '../state/net';
import type { SimVm } from '../state/types';
import type { TaskContext } from '../tasks/task-manager';
import { requestHaState, type HaPower } from '../state/ha-manager';
import { applyPending, checkLock, lockVm, stillThere } from './vm-helpers';

/**
 * Boots QEMU: pending applied, cloud-init snapshot taken; emulated guests get their agent stages
 * planned and SSH endpoint up, qemu-mode guests a real qemu process.
 */
export async function boot(sim: Sim, vm: SimVm, t: TaskContext): Promise<void> {
  applyPending(vm);
  const node = sim.state.node(vm.node);
  for (const [k, v] of Object.entries(vm.config)) {
    if (!/^net\d+$/.test(k)) continue;
    const dev = parseNet(v);
    const bridge = typeof dev === 'string' ? undefined : dev.opts.bridge;
    if (bridge && !node.bridges.includes(bridge)) throw new Error(`bridge '${bridge}' does not exist`);
  }
  if (sim.qemu) {
    // A real guest: its agent and sshd answer when they are up, not on a schedule.
    vm.agentOnAtStart = agentEnabled(vm.config.agent);
    const pid = await sim.qemu.start(
      vm,
      vm.config,
      (line) => t.log(line),
      () => {
        // The guest powered itself off (or qemu died): PVE then shows the VM stopped.
        if (vm.pid === pid) powerOff(vm);
      },
      { isolated: nicsOnlyOn(vm.config, node.isolatedBridges) },
    );
    vm.power = 'running';
    vm.startedAt = sim.clock.now();
    vm.pid = pid;
    vm.bootConfig = { ...vm.config };
    vm.agentPlan = undefined;
    return;
  }
  if (vm.config.ide2?.includes('cloudinit') || Object.values(vm.config).some((v) => v.includes('cloudinit'))) {
    t.log('generating cloud-init ISO');
  }
  await t.sleep(1500);
  const now = sim.clock.now();
  const bootMs = sim.opts.agentBootSeconds * 1000;
  vm.power = 'running';
  vm.startedAt = now;
  vm.pid = node.nextPid;
  node.nextPid += sim.rng.int(3, 30);
  vm.bootConfig = { ...vm.config };
  vm.agentOnAtStart = agentEnabled(vm.config.agent);
  // cloud-init's ssh module writes the host keys once per instance, a few seconds after the
  // network is up; sshd starts after it, and cloud-init's later stages end 12–15 s after that.
  // A VM that booted before keeps its keys (same instance) and they exist from the start.
  const firstBoot = !vm.hostKey;
  const linkLocalUntil = now + sim.clock.scale(bootMs + 3000);
  const hostKeysAt = firstBoot ? now + sim.clock.scale(bootMs + 5000) : now;
  vm.agentPlan = {
    notRunningUntil: now + sim.clock.scale(bootMs * 0.75),
    timeoutUntil: now + sim.clock.scale(bootMs),
    linkLocalUntil,
    hostKeysAt,
    cloudInitDoneAt: Math.max(hostKeysAt, linkLocalUntil) + sim.clock.scale(firstBoot ? 13_000 : 6_000),
  };
  await sim.guest.ensureSsh(vm);
}

/** QEMU gone: stopped, no pid, no agent. */
export function powerOff(vm: SimVm): void {
  vm.power = 'stopped';
  vm.startedAt = undefined;
  vm.pid = undefined;
  vm.agentPlan = undefined;
}

/**
 * A real guest's clean shutdown: the ACPI power button, then up to `timeout` seconds (default
 * 600, as PVE) for the guest to power off; after that `forceStop=1` kills it, otherwise the
 * task fails as PVE's does.
 */
async function qemuShutdown(sim: Sim, vm: SimVm, t: TaskContext, ctx: RouteContext<Sim>): Promise<void> {
  const qemu = sim.qemu;
  if (!qemu) return;
  const timeout = ctx.params.timeout === undefined ? 600 : Number(ctx.params.timeout);
  if (await qemu.shutdown(vm.vmid, timeout * 1000)) return;
  if (ctx.params.forceStop !== 1) throw new Error('VM quit/powerdown failed - got timeout');
  t.warn('VM still running - terminating now with SIGTERM');
  await qemu.stop(vm.vmid);
}

/**
 * An emulated guest's clean shutdown, as qemu-server's _do_vm_stop: the power button, then up to
 * `timeout` seconds (default 600) polling; a guest that has not powered off by then is killed
 * with a warning when `forceStop=1` (the task ends `WARNINGS: 1`), else the task fails.
 */
async function emulatedShutdown(sim: Sim, vm: SimVm, t: TaskContext, ctx: RouteContext<Sim>, cleanMs: number): Promise<void> {
  const timeoutMs = (ctx.params.timeout === undefined ? 600 : Number(ctx.params.timeout)) * 1000;
  const ignores = sim.faults.shutdownIgnored.has(vm.vmid) || sim.faults.shutdownIgnored.has('*');
  const takesMs = ignores ? Infinity : cleanMs;
  if (takesMs <= timeoutMs) {
    await t.sleep(takesMs);
    return;
  }
  await t.sleep(timeoutMs);
  if (ctx.params.forceStop !== 1) throw new Error('VM quit/powerdown failed - got timeout');
  t.warn('VM still running - terminating now with SIGTERM');
  await t.sleep(800);
}

type PowerBody = (sim: Sim, vm: SimVm, t: TaskContext, ctx: RouteContext<Sim>) => Promise<void>;

/** What the simulated HA manager needs to start and stop VMs. */
export const haPower: HaPower = { boot, powerOff };

/**
 * qemu-server's vm_start / vm_stop / vm_shutdown for an HA-managed VM (any resources.cfg entry)
 * called by anyone but the HA stack: only a request to the CRM (`hastart` / `hastop` task,
 * "Requesting HA … for VM N"); the VM changes state when the LRM gets to it, a round later.
 */
function haRequest(sim: Sim, vm: SimVm, action: string, ctx: RouteContext<Sim>): string | undefined {
  if (!sim.state.ha.has(vm.vmid) || (action !== 'start' && action !== 'stop' && action !== 'shutdown')) return undefined;
  const type = action === 'start' ? 'hastart' : 'hastop';
  return sim.tasks.start(vm.node, type, String(vm.vmid), ownerOf(ctx.auth), async (t) => {
    t.log(`Requesting HA ${action === 'start' ? 'start' : 'stop'} for VM ${vm.vmid}`);
    await t.sleep(300);
    requestHaState(sim, haPower, vm.vmid, action === 'start' ? 'started' : 'stopped');
  });
}

function powerRoute(
  action: string,
  type: string,
  extra: ParamSchema,
  sync: (vm: SimVm) => void,
  body: PowerBody,
  lockWait = 10_000,
): Route<Sim> {
  return {
    method: 'POST',
    path: `/nodes/{node}/qemu/{vmid}/status/${action}`,
    schema: { node: P.node, vmid: P.vmid, skiplock: P.bool, timeout: { type: 'integer', optional: true, minimum: 0 }, ...extra },
    handler: (ctx) => {
      const { sim, params } = ctx;
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      rootOnly(ctx.auth, 'skiplock', params.skiplock === 1);
      beforeWorker(sim);
      const viaHa = haRequest(sim, vm, action, ctx);
      if (viaHa) return viaHa;
      sync(vm);
      return sim.tasks.start(vm.node, type, String(vm.vmid), ownerOf(ctx.auth), async (t) => {
        const release = await lockVm(sim, vm.vmid, lockWait);
        try {
          stillThere(sim, vm);
          const lock = vm.config.lock;
          const resumable = lock === 'suspended' || (lock === 'backup' && vm.power !== 'stopped');
          if (!(params.skiplock === 1) && !(action === 'start' && resumable)) checkLock(vm);
          await body(sim, vm, t, ctx);
        } finally {
          release();
        }
      });
    },
  };
}

const none = (): void => undefined;

/** start / stop / shutdown / reboot. */
export const powerRoutes: Array<Route<Sim>> = [
  powerRoute(
    'start',
    'qmstart',
    { machine: P.optString, stateuri: P.optString, migratedfrom: P.optString, targetstorage: P.optString, 'force-cpu': P.optString },
    none,
    async (sim, vm, t, ctx) => {
      for (const k of ['stateuri', 'migratedfrom', 'targetstorage', 'force-cpu']) rootOnly(ctx.auth, k, ctx.params[k] !== undefined);
      if (vm.config.template === '1') throw new Error("you can't start a vm if it's a template");
      if (vm.power !== 'stopped') throw new Error(`VM ${vm.vmid} already running`);
      await boot(sim, vm, t);
    },
  ),
  powerRoute('stop', 'qmstop', { 'overrule-shutdown': P.bool, keepActive: P.bool }, none, async (sim, vm, t) => {
    if (vm.power === 'stopped') return;
    if (sim.qemu) await sim.qemu.stop(vm.vmid);
    else await t.sleep(800);
    powerOff(vm);
  }),
  powerRoute(
    'shutdown',
    'qmshutdown',
    { forceStop: P.bool, keepActive: P.bool },
    (vm) => {
      if (vm.power === 'paused') throw die('VM is paused - cannot shutdown');
    },
    async (sim, vm, t, ctx) => {
      if (vm.power === 'stopped') return;
      if (sim.qemu) await qemuShutdown(sim, vm, t, ctx);
      else await emulatedShutdown(sim, vm, t, ctx, 5000);
      powerOff(vm);
    },
  ),
  powerRoute(
    'reboot',
    'qmreboot',
    {},
    (vm) => {
      if (vm.power === 'stopped') throw die(`VM ${vm.vmid} not running`);
    },
    async (sim, vm, t, ctx) => {
      if (sim.qemu) await qemuShutdown(sim, vm, t, ctx);
      else await emulatedShutdown(sim, vm, t, ctx, 4000);
      powerOff(vm);
      await boot(sim, vm, t);
    },
  ),
];

/** Template conversion (rarely needed; lets tests build templates). */
export const templateRoute: Route<Sim> = {
  method: 'POST',
  path: '/nodes/{node}/qemu/{vmid}/template',
  schema: { node: P.node, vmid: P.vmid, disk: P.optString },
  handler: (ctx) => {
    const { sim, params } = ctx;
    const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
    beforeWorker(sim);
    checkLock(vm);
    if (Object.keys(vm.snapshots).length > 0) throw die('unable to create template, because VM contains snapshots');
    if (vm.power !== 'stopped') throw die("you can't convert a VM to template if VM is running");
    return sim.tasks.start(vm.node, 'qmtemplate', String(vm.vmid), ownerOf(ctx.auth), async (t) => {
      await t.sleep(1000);
      for (const [k, v] of Object.entries(vm.config)) {
        if (/^(scsi|virtio|sata|ide)\d+$/.test(k) && !v.includes('cloudinit')) vm.config[k] = v.replace(/:vm-(\d+)-disk/, ':base-$1-disk');
      }
      vm.config.template = '1';
    });
  },
};
