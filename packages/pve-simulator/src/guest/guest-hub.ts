import type { FaultState, GuestCommandResult } from '../faults/fault-state';
import type { ClusterState } from '../state/cluster-state';
import type { SimVm } from '../state/types';
import { nicsOnlyOn } from '../state/net';
import { cloudInitCommand } from './cloud-init-model';
import { authorizedKeys, ensureHostKey } from './host-key';
import type { QemuGuests } from './qemu/qemu-guests';
import { startGuestSsh } from './ssh-server';
import type { GuestSshServer } from './ssh-server';

/** A command that reached a guest, via the agent or SSH. */
export interface GuestCommandRecord {
  vmid: number;
  via: 'agent' | 'ssh';
  user?: string;
  command: string;
  at: number;
  code: number;
}

/** Where sshd looks for a user's keys on the templates (home under /home, root's under /root). */
export function authorizedKeysPath(user: string): string {
  return user === 'root' ? '/root/.ssh/authorized_keys' : `/home/${user}/.ssh/authorized_keys`;
}

/** The key lines of an authorized_keys file (blank lines and comments skipped, as sshd does). */
function authorizedKeyLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

const HOST_KEY_CMD = /^(?:sudo\s+(?:-n\s+)?(?:--\s+)?)?cat\s+\/etc\/ssh\/ssh_host_ed25519_key\.pub\s*$/;

/** A password as chpasswd stored it: in clear when the caller gave it so, else crypt(3) output. */
export interface GuestPassword {
  value: string;
  crypted: boolean;
}

/** Guest-side emulation: DHCP leases, host keys, SSH endpoints, the command log. */
export class GuestHub {
  private readonly leases = new Map<string, string>();
  private readonly servers = new Map<number, GuestSshServer>();
  readonly commands: GuestCommandRecord[] = [];
  readonly files = new Map<number, Map<string, Buffer>>();
  /** Passwords chpasswd wrote into a guest's /etc/shadow (per VM, per user); they outlive reboots as the disk does. */
  private readonly shadow = new Map<number, Map<string, GuestPassword>>();
  private readonly forgetters = new Set<(vmid: number) => void>();
  private closed = false;

  constructor(
    private readonly state: ClusterState,
    private readonly faults: FaultState,
    private readonly host: string,
    private readonly sshEnabled: boolean,
    private readonly qemu?: QemuGuests,
  ) {}

  /** Stable fake-DHCP lease per MAC from the configured pool. */
  dhcp(mac: string): { ip: string; prefix: number } {
    const { base, prefix } = this.state.opts.dhcpPool;
    let ip = this.leases.get(mac);
    if (!ip) {
      const parts = base.split('.').map(Number);
      const n = ((parts[0] ?? 0) << 24) + ((parts[1] ?? 0) << 16) + ((parts[2] ?? 0) << 8) + (parts[3] ?? 0) + this.leases.size;
      ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
      this.leases.set(mac, ip);
    }
    return { ip, prefix };
  }

  /**
   * Runs a guest command. A test handler (or the launcher's Debian emulation) answers first;
   * what it leaves follows the guest's boot plan: cloud-init's status, and the host-key `cat`,
   * which fails until cloud-init's ssh module has written the key. Anything else exits 0.
   */
  run(vm: SimVm, via: 'agent' | 'ssh', command: string, user?: string): GuestCommandResult {
    const now = Date.now();
    const r = this.faults.guestCommand?.(vm.vmid, command) ?? this.bootAnswer(vm, command, now) ?? { code: 0 };
    this.commands.push({ vmid: vm.vmid, via, user, command, at: now, code: r.code });
    return r;
  }

  private bootAnswer(vm: SimVm, command: string, now: number): GuestCommandResult | undefined {
    const plan = vm.agentPlan;
    if (HOST_KEY_CMD.test(command)) {
      if (plan && now < plan.hostKeysAt) return { code: 1, stderr: 'cat: /etc/ssh/ssh_host_ed25519_key.pub: No such file or directory\n' };
      return { code: 0, stdout: `${ensureHostKey(vm).public}\n` };
    }
    return plan ? cloudInitCommand(command, plan, vm.startedAt ?? now, now) : undefined;
  }

  /** A file written into the guest (over SSH or the agent's file-write): the whole content, replacing any earlier one. */
  writeFile(vm: SimVm, path: string, data: Buffer): void {
    if (!this.files.has(vm.vmid)) this.files.set(vm.vmid, new Map());
    this.files.get(vm.vmid)?.set(path, data);
  }

  /**
   * The users the guest has: root, the image's (or cloud-init's) login user, and whoever a
   * `useradd` run in this VM created. Setting a password for anyone else fails in chpasswd, as on
   * the real image.
   */
  hasUser(vm: SimVm, user: string): boolean {
    const cfg = vm.bootConfig ?? vm.config;
    if (user === 'root' || user === (cfg.ciuser ?? vm.defaultUser)) return true;
    return this.commands.some((c) => {
      if (c.vmid !== vm.vmid || c.at < vm.createdAt || c.code !== 0 || !/\buseradd\b/.test(c.command)) return false;
      const words = c.command.split(/\s+/).map((w) => w.replace(/^(['"])(.*)\1$/, '$2'));
      return words[words.length - 1] === user;
    });
  }

  /** chpasswd inside the guest: the user's password is replaced (running it twice leaves the last one). */
  setPassword(vm: SimVm, user: string, password: GuestPassword): void {
    if (!this.shadow.has(vm.vmid)) this.shadow.set(vm.vmid, new Map());
    this.shadow.get(vm.vmid)?.set(user, password);
  }

  /** The password chpasswd last set for `user`, if any. */
  password(vmid: number, user: string): GuestPassword | undefined {
    return this.shadow.get(vmid)?.get(user);
  }

  /** Registers a handler's `forget` (idempotent): it hears of every destroyed VM from now on. */
  onForget(forget: (vmid: number) => void): void {
    this.forgetters.add(forget);
  }

  /** The VM is gone: its SSH endpoint stops and every guest-side state of it is dropped. */
  forget(vmid: number): void {
    this.stopSsh(vmid);
    this.files.delete(vmid);
    this.shadow.delete(vmid);
    for (const f of this.forgetters) f(vmid);
  }

  /** Starts the VM's SSH endpoint if not yet running (idempotent). */
  async ensureSsh(vm: SimVm): Promise<void> {
    if (!this.sshEnabled || this.closed || this.servers.has(vm.vmid)) return;
    const key = ensureHostKey(vm);
    const entry = await startGuestSsh(this.host, key.private, {
      reachable: () => {
        const cur = this.state.vms.get(vm.vmid);
        // sshd starts after cloud-init's ssh module wrote the host keys
        if (!cur || cur.power !== 'running' || !cur.agentPlan || Date.now() < cur.agentPlan.hostKeysAt) return false;
        // a guest whose every NIC sits on a port-less bridge has no route to the outside world
        return !nicsOnlyOn(cur.bootConfig ?? cur.config, this.state.node(cur.node).isolatedBridges);
      },
      login: () => {
        const cfg = vm.bootConfig ?? vm.config;
        const user = cfg.ciuser ?? vm.defaultUser;
        // sshd reads ~/.ssh/authorized_keys: cloud-init wrote the configured keys there, and
        // whatever was written into it since (the guest agent's file-write) replaces them.
        const written = this.files.get(vm.vmid)?.get(authorizedKeysPath(user));
        return { user, keys: written ? authorizedKeyLines(written.toString('utf8')) : authorizedKeys(cfg.sshkeys) };
      },
      run: (user, command) => this.run(vm, 'ssh', command, user),
      writeFile: (path, data) => this.writeFile(vm, path, data),
    });
    if (this.servers.has(vm.vmid) || this.closed) {
      await entry.close();
      return;
    }
    this.servers.set(vm.vmid, entry);
  }

  /**
   * host/port of the VM's SSH endpoint (the VM's own address is not routable from the host): the
   * emulated sshd, or the loopback port qemu forwards to a real guest's port 22.
   */
  endpoint(vmid: number): { host: string; port: number } | undefined {
    if (this.qemu) return this.qemu.sshEndpoint(vmid);
    const s = this.servers.get(vmid);
    return s ? { host: this.host, port: s.port } : undefined;
  }

  /** Stops the VM's endpoint (on destroy). */
  stopSsh(vmid: number): void {
    void this.servers.get(vmid)?.close();
    this.servers.delete(vmid);
  }

  /** Stops every endpoint. */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.servers.values()].map((s) => s.close()));
    this.servers.clear();
  }
}
