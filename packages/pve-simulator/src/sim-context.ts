import type { AccessControl } from './access/access-control';
import type { RoutePermission } from './access/route-permissions';
import type { AuthService } from './auth/auth-service';
import type { FaultState } from './faults/fault-state';
import type { GuestHub } from './guest/guest-hub';
import type { QemuGuests } from './guest/qemu/qemu-guests';
import type { WebSocket } from 'ws';
import type { SimVm } from './state/types';
import type { ResolvedOptions } from './options';
import { die, paramError } from './server/pve-error';
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
  /** Users, tokens, roles, ACLs and pools: who may do what. */
  access: AccessControl;
  /** The schema's `permissions` per "METHOD /route/{path}", checked before every handler. */
  routePermissions: Record<string, RoutePermission>;
  faults: FaultState;
  guest: GuestHub;
  /** The termproxy processes behind `termproxy` / `vncwebsocket` (serial consoles). */
  terminals: Terminals;
  /** Real qemu guests (the `qemu` guest mode); undefined when guests are emulated. */
  qemu?: QemuGuests;
  /** SHA-256 fingerprint of the TLS certificate, colon-separated upper-case hex. */
  fingerprint: string;
  /** Each node's own API port (pveproxy), to take one down; set once the servers listen. */
  nodeApis?: NodeApiControl;
}

/** The termproxy processes (console/termproxy.ts) as route handlers and the websocket upgrade use them. */
export interface Terminals {
  start(vm: SimVm, auth: AuthInfo, serial: string | undefined): { user: string; ticket: string; port: number; upid: string };
  listening(port: number, vmid: number): boolean;
  attach(port: number, ws: WebSocket, proto: 'binary' | 'base64'): void;
  closeAll(): void;
}

/** Switches one node's pveproxy off and on. */
export interface NodeApiControl {
  /** True while `node`'s API port refuses connections. */
  isDown(node: string): boolean;
  /** Closes (connections refused, open ones cut) or reopens `node`'s API on its port. */
  setUp(node: string, up: boolean): Promise<void>;
}

/** The authenticated id permissions are computed for: `user@realm` or `user@realm!token`. */
export function authIdOf(auth: AuthInfo): string {
  return auth.tokenid ? `${auth.user}!${auth.tokenid}` : auth.user;
}

/** `$rpcenv->check` inside a handler: every privilege on the path, or PVE's 403. */
export function requirePriv(sim: Sim, auth: AuthInfo, path: string, ...privs: string[]): void {
  sim.access.check(authIdOf(auth), path, privs);
}

/** `$rpcenv->check(..., noerr)`: whether the caller holds one of the privileges (listings filter with it). */
export function canAccess(sim: Sim, auth: AuthInfo, path: string, ...privs: string[]): boolean {
  return sim.access.checkAny(authIdOf(auth), path, privs, true);
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
