import type { AccessSpec, AclSpec } from '../access/access-control';
import type { Sim } from '../sim-context';
import { vmLockPath } from '../tasks/flock';
import type { GuestCommandHandler, RouteFault } from './fault-state';
import { emptyFaultState } from './fault-state';

/** Options of a route fault. */
export interface RouteFaultInput {
  method?: string;
  path: string;
  rate?: number;
  status?: number;
  message?: string;
  times?: number;
}

const DEFAULT_TEXT: Record<number, string> = {
  500: 'got no worker upid - start worker failed',
  595: 'Errors during connection establishment, proxy handshake: Connection refused',
  596: 'Errors during TLS negotiation, request sending and header processing: Connection timed out',
  503: 'Service Unavailable',
};

/**
 * Fault-injection control (the same operations the /_sim admin API exposes). Every method is
 * idempotent where that makes sense (setting a switch twice leaves it set once).
 */
export class Faults {
  constructor(private readonly sim: Sim) {}

  /** Injects HTTP errors on matching requests (path relative to /api2/json, `*` = one segment). Returns its id. */
  addRouteError(f: RouteFaultInput): number {
    const fault: RouteFault = {
      id: this.sim.faults.nextRouteId++,
      method: f.method?.toUpperCase(),
      path: f.path,
      rate: f.rate ?? 1,
      status: f.status ?? 500,
      message: f.message ?? DEFAULT_TEXT[f.status ?? 500] ?? 'Internal Server Error',
      times: f.times,
    };
    this.sim.faults.routes.push(fault);
    return fault.id;
  }

  removeRouteError(id: number): void {
    this.sim.faults.routes = this.sim.faults.routes.filter((r) => r.id !== id);
  }

  /** Node offline: its paths answer 595, /cluster/resources shows it offline and its VMs unknown. */
  setNodeOnline(node: string, online: boolean): void {
    this.sim.state.node(node).online = online;
  }

  /**
   * Takes `node`'s own API port down (connections refused, open ones cut: pveproxy stopped) or
   * brings it back on the same port. Other nodes' ports keep serving the cluster, but forward
   * requests for `/nodes/<node>/…` to it in vain (595 Connection refused), as PVE does.
   */
  setNodeApi(node: string, up: boolean): Promise<void> {
    if (!this.sim.nodeApis) throw new Error('simulator not started');
    return this.sim.nodeApis.setUp(node, up);
  }

  /**
   * The next request matching method + path (`*` one segment) that arrives on `node`'s own API
   * port is carried out, then that port goes down before the answer is sent: the client sees the
   * connection cut and cannot know whether its POST was applied.
   */
  apiDiesAfter(node: string, method: string, path: string): void {
    this.sim.faults.apiDiesAfter = { node, method: method.toUpperCase(), path };
  }

  /** Multiplies realistic task durations for a task type ('*' = all), e.g. slowTasks('qmclone', 20). */
  slowTasks(type: string, multiplier: number): void {
    if (multiplier === 1) this.sim.tasks.slow.delete(type);
    else this.sim.tasks.slow.set(type, multiplier);
  }

  /** The next `times` disk copies to `storage` fail with PVE's storage lock timeout (in-task, `clone failed:`). */
  storageLockTimeout(storage: string, times = 1): void {
    this.sim.faults.storageLockTimeouts.set(storage, times);
  }

  /** Holds the VM's config flock so config/start/resize/destroy time out like a stuck worker would cause. */
  holdVmLock(vmid: number): void {
    if (this.sim.faults.heldVmLocks.has(vmid)) return;
    const placeholder = (): void => undefined;
    this.sim.faults.heldVmLocks.set(vmid, placeholder);
    this.sim.flocks.acquire(vmLockPath(vmid), 3600_000).then(
      (release) => {
        if (this.sim.faults.heldVmLocks.get(vmid) === placeholder) this.sim.faults.heldVmLocks.set(vmid, release);
        else release();
      },
      () => this.sim.faults.heldVmLocks.delete(vmid),
    );
  }

  releaseVmLock(vmid: number): void {
    this.sim.faults.heldVmLocks.get(vmid)?.();
    this.sim.faults.heldVmLocks.delete(vmid);
  }

  /** The agent of `vmid` (or every VM with '*') never answers. */
  agentNeverStarts(vmid: number | '*', on = true): void {
    if (on) this.sim.faults.agentNeverStarts.add(vmid);
    else this.sim.faults.agentNeverStarts.delete(vmid);
  }

  /** The guest of `vmid` (or every guest with '*') ignores the ACPI power button, as a hung or busy guest does. */
  ignoreShutdown(vmid: number | '*', on = true): void {
    if (on) this.sim.faults.shutdownIgnored.add(vmid);
    else this.sim.faults.shutdownIgnored.delete(vmid);
  }

  /**
   * The next `times` clone workers die hard, leaving the new VM with `lock: clone` (exitstatus
   * `unexpected status`), as a node crash or a SIGKILLed pvedaemon does. `at: 'placeholder'`
   * (default) dies before the first disk: the config is PVE's bare placeholder, no description.
   * `at: 'after-first-disk'` dies once the config was rewritten after the first disk: it carries
   * the clone's name and description (the owner marker) and still `lock: clone`.
   */
  staleCloneLock(times = 1, at: 'placeholder' | 'after-first-disk' = 'placeholder'): void {
    this.sim.faults.staleCloneLocks = times;
    this.sim.faults.staleCloneLockAt = at;
  }

  /** Sets or clears a config lock on an existing VM (e.g. 'backup' during a nightly vzdump). */
  setConfigLock(vmid: number, lock: string | undefined): void {
    const vm = this.sim.state.vms.get(vmid);
    if (!vm) throw new Error(`no VM ${vmid}`);
    if (lock === undefined) delete vm.config.lock;
    else vm.config.lock = lock;
  }

  /** Token revoked: every request with it gets 401. */
  revokeToken(tokenId: string, revoked = true): void {
    if (revoked) this.sim.auth.revoked.add(tokenId);
    else this.sim.auth.revoked.delete(tokenId);
  }

  /** Storage (optionally on one node) reports full: full clones and resizes onto it fail in-task. */
  fillStorage(storage: string, node?: string, full = true): void {
    const key = node ? `${storage}/${node}` : storage;
    if (full) this.sim.state.fullStorages.add(key);
    else this.sim.state.fullStorages.delete(key);
  }

  /** Quorum loss: writes answer 500 `cluster not ready - no quorum?`. */
  setQuorum(quorate: boolean): void {
    this.sim.state.quorate = quorate;
  }

  /** The next `times` task-creating calls fail with `got no worker upid - start worker failed`. */
  noWorkerUpid(times = 1): void {
    this.sim.faults.noWorkerUpid = times;
  }

  /**
   * Takes `priv` out of every role, built-in ones included (as a PVE upgrade that drops a
   * privilege does): every caller then lacks it (403 `Permission check failed (<path>, <priv>)`).
   */
  denyPrivilege(priv: string, denied = true): void {
    if (denied) this.sim.access.masked.add(priv);
    else this.sim.access.masked.delete(priv);
  }

  /** Replaces the custom roles and ACLs (user.cfg) with these. */
  loadAccess(spec: AccessSpec): void {
    this.sim.access.load(spec);
  }

  /** Adds an ACL, as `pveum acl modify`. */
  grant(acl: AclSpec): void {
    this.sim.access.addAcl(acl);
  }

  /** Removes an ACL, as `pveum acl delete` (every role of the user/token there without `roleid`). */
  revoke(path: string, who: { users?: string[]; tokens?: string[] }, roleid?: string): void {
    this.sim.access.removeAcl(path, who, roleid);
  }

  /** Creates or replaces a role (`pveum role add/modify`); privileges unknown to the flavour are dropped. */
  setRole(name: string, privs: string[]): void {
    this.sim.access.setRole(name, privs);
  }

  /** Decides guest command answers (agent exec and SSH exec); undefined falls back to exit 0. */
  setGuestCommandHandler(handler: GuestCommandHandler | undefined): void {
    this.sim.faults.guestCommand = handler;
    // Kept across handler swaps and reset(): a test that wraps the emulation for a while must not
    // keep a destroyed VM's guest state alive in it.
    if (handler?.forget) this.sim.guest.onForget(handler.forget);
  }

  /** Removes every fault (nodes back online, quorum back, tokens restored, locks released). */
  reset(): void {
    for (const vmid of [...this.sim.faults.heldVmLocks.keys()]) this.releaseVmLock(vmid);
    Object.assign(this.sim.faults, emptyFaultState());
    this.sim.tasks.slow.clear();
    this.sim.auth.revoked.clear();
    this.sim.access.masked.clear();
    this.sim.state.fullStorages.clear();
    this.sim.state.quorate = true;
    for (const n of this.sim.state.nodes.values()) n.online = true;
    // Reopening a port is asynchronous; reset() stays synchronous and lets it finish on its own.
    for (const n of this.sim.state.nodes.keys())
      if (this.sim.nodeApis?.isDown(n)) void this.sim.nodeApis.setUp(n, true).catch(() => undefined);
  }
}
