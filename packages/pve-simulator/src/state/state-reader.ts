import type { GuestCommandRecord } from '../guest/guest-hub';
import type { Sim } from '../sim-context';
import type { SimTask } from '../tasks/task-manager';
import { splitTags } from './formats';
import type { AgentPlan, SimVm, VmSnapshot } from './types';

function snapshot(sim: Sim, vm: SimVm): VmSnapshot {
  return {
    vmid: vm.vmid,
    node: vm.node,
    name: vm.config.name,
    status: vm.power,
    template: vm.config.template === '1',
    lock: vm.config.lock,
    tags: splitTags(vm.config.tags ?? ''),
    pool: sim.state.poolOf(vm.vmid),
    config: { ...vm.config },
    pending: { ...vm.pending },
  };
}

/** Read access to the simulated cluster for tests (copies; mutating them changes nothing). */
export class StateReader {
  constructor(private readonly sim: Sim) {}

  /** Every VM and template, sorted by vmid. */
  listVms(): VmSnapshot[] {
    return [...this.sim.state.vms.values()].sort((a, b) => a.vmid - b.vmid).map((vm) => snapshot(this.sim, vm));
  }

  vm(vmid: number): VmSnapshot | undefined {
    const vm = this.sim.state.vms.get(vmid);
    return vm ? snapshot(this.sim, vm) : undefined;
  }

  /** Tasks, newest first (copies of their fields and logs). */
  tasks(): Array<Omit<SimTask, 'log'> & { log: string[] }> {
    return [...this.sim.tasks.tasks.values()].reverse().map((t) => ({ ...t, log: [...t.log] }));
  }

  /** Commands that reached guests via agent exec or SSH exec. */
  guestCommands(vmid?: number): GuestCommandRecord[] {
    return this.sim.guest.commands.filter((c) => vmid === undefined || c.vmid === vmid);
  }

  /** Files uploaded over SFTP to a guest. */
  guestFiles(vmid: number): Map<string, Buffer> {
    return new Map(this.sim.guest.files.get(vmid) ?? []);
  }

  /** What chpasswd (the agent's set-user-password) last stored for a guest user, if anything. */
  guestPassword(vmid: number, user: string): { value: string; crypted: boolean } | undefined {
    const p = this.sim.guest.password(vmid, user);
    return p ? { ...p } : undefined;
  }

  /** The VM's emulated ed25519 host public key line (undefined before first boot). */
  hostKey(vmid: number): string | undefined {
    return this.sim.state.vms.get(vmid)?.hostKey?.public;
  }

  /** The running VM's boot plan: when its agent, address, host keys and cloud-init are up (absolute ms). */
  bootPlan(vmid: number): Readonly<AgentPlan> | undefined {
    const plan = this.sim.state.vms.get(vmid)?.agentPlan;
    return plan ? { ...plan } : undefined;
  }

  /** qemu mode: the VM's qemu pid, resident memory, overlay path and SSH forward (null otherwise). */
  qemuGuest(vmid: number): { pid?: number; rssMiB?: number; overlay: string; sshPort?: number; console: string } | undefined {
    return this.sim.qemu?.info(vmid);
  }

  /** Where the VM's SSH endpoint listens (its guest IP is not routable from the host). */
  guestSshEndpoint(vmid: number): { host: string; port: number } | undefined {
    return this.sim.guest.endpoint(vmid);
  }
}
