import type { AuthService } from './auth/auth-service';
import type { FaultState } from './faults/fault-state';
import type { GuestHub } from './guest/guest-hub';
import type { QemuGuests } from './guest/qemu/qemu-guests';
import type { ResolvedOptions } from './options';
import { die, paramError, permissionDenied } from './server/pve-error';
import type { AuthInfo } from './server/router';
import type { ClusterState } from './state/cluster-state';
import type { FlockTable } from './tasks/flock';
import type { TaskManager, TaskOwner } from './tasks/task-manager';
import type { SimClock } from './util/clock';
import type { Rng } from './util/rng';

/** Everything a route handler may touch. */
export interface Sim {
  opts: ResolvedOptions;
  clock: SimClock;
  rng: Rng;
  state: ClusterState;
  tasks: TaskManager;
  flocks: FlockTable;
  auth: AuthService;
  faults: FaultState;
  guest: GuestHub;
  /** Real qemu guests (the `qemu` guest mode); undefined when guests are emulated. */
  qemu?: QemuGuests;
  /** SHA-256 fingerprint of the TLS certificate, colon-separated upper-case hex. */
  fingerprint: string;
  /** Each node's own API port (pveproxy), to take one down; set once the servers listen. */
  nodeApis?: NodeApiControl;
}

/** Switches one node's pveproxy off and on. */
export interface NodeApiControl {
  /** True while `node`'s API port refuses connections. */
  isDown(node: string): boolean;
  /** Closes (connections refused, open ones cut) or reopens `node`'s API on its port. */
  setUp(node: string, up: boolean): Promise<void>;
}

/** PVE's permission check against the fault-controlled deny list (everything else is granted). */
export function requirePriv(sim: Sim, path: string, ...privs: string[]): void {
  for (const p of privs) if (sim.faults.deniedPrivileges.has(p)) throw permissionDenied(path, p);
}

/** Guards that every write path shares: quorum and the "got no worker upid" fault. */
export function beforeWorker(sim: Sim): void {
  if (!sim.state.quorate) throw die('cluster not ready - no quorum?');
  if (sim.faults.noWorkerUpid > 0) {
    sim.faults.noWorkerUpid--;
    throw die('got no worker upid - start worker failed');
  }
}

/** Owner of a task started by this caller. */
export function ownerOf(auth: AuthInfo): TaskOwner {
  return auth.tokenid ? { user: auth.user, tokenid: auth.tokenid } : { user: auth.user };
}

/** Root-only parameters (skiplock & co.). */
export function rootOnly(auth: AuthInfo, param: string, used: boolean): void {
  if (used && !(auth.user === 'root@pam' && !auth.tokenid)) {
    throw paramError({ [param]: 'Only root may use this option.' });
  }
}
