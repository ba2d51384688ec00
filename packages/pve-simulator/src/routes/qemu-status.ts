import { agentEnabled } from '../guest/agent-model';
import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import { canAccess } from '../sim-context';
import type { SimVm } from '../state/types';
import { maxDisk, maxMem, uptime, vcpus } from '../state/vm-metrics';

/** status/current body for a VM (also used by the /qemu list). */
function vmStatus(sim: Sim, vm: SimVm): Record<string, unknown> {
  const running = vm.power !== 'stopped';
  const max = maxMem(vm.config);
  const s: Record<string, unknown> = {
    vmid: vm.vmid,
    status: running ? 'running' : 'stopped',
    qmpstatus: vm.power === 'paused' ? 'paused' : running ? 'running' : 'stopped',
    cpus: vcpus(vm.config),
    cpu: running ? 0.012 : 0,
    maxmem: max,
    mem: running ? Math.floor(max * 0.4) : 0,
    maxdisk: maxDisk(vm),
    disk: 0,
    netin: running ? 12345 : 0,
    netout: running ? 6789 : 0,
    diskread: running ? 1048576 : 0,
    diskwrite: running ? 524288 : 0,
    uptime: uptime(sim.clock.now(), vm),
    ha: sim.state.ha.has(vm.vmid) ? { managed: 1, state: sim.state.ha.get(vm.vmid)!.state } : { managed: 0 },
  };
  if (vm.config.name !== undefined) s.name = vm.config.name;
  if (running) {
    s.pid = vm.pid;
    s.memhost = Math.floor(max * 0.42);
    s['running-machine'] = 'pc-i440fx-9.2+pve1';
    s['running-qemu'] = '9.2.0';
  }
  if (vm.config.lock) s.lock = vm.config.lock;
  if (vm.config.tags) s.tags = vm.config.tags;
  if (vm.config.template === '1') s.template = 1;
  if (agentEnabled(vm.config.agent)) s.agent = 1;
  if (vm.config.serial0) s.serial = 1;
  return s;
}

/** status/current and the node's VM list. */
export const statusRoutes: Array<Route<Sim>> = [
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/status/current',
    schema: { node: P.node, vmid: P.vmid },
    handler: ({ sim, params }) => {
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      return vmStatus(sim, vm);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu',
    schema: { node: P.node, full: P.bool },
    handler: ({ sim, params, auth }) => {
      const node = sim.state.node(String(params.node)).name;
      return [...sim.state.vms.values()]
        .filter((vm) => vm.node === node && canAccess(sim, auth, `/vms/${vm.vmid}`, 'VM.Audit'))
        .map((vm) => {
          const s = vmStatus(sim, vm);
          delete s.ha;
          return s;
        });
    },
  },
];
