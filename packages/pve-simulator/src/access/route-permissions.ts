import type { Flavour } from '../options';
import type { AccessControl } from './access-control';
import { normalizeAclPath, permissionError } from './access-control';

/** A `permissions.check` of PVE's API schema. */
type PermCheck = { perm: string; privs: string[]; any?: boolean; requireParam?: string } | { and: PermCheck[] } | { or: PermCheck[] };

/** A route's `permissions`: `user => 'all'`/`'world'` (handler filters or checks itself) or a check. */
export type RoutePermission = 'all' | 'world' | PermCheck;

const vmPerm = (...privs: string[]): PermCheck => ({ perm: '/vms/{vmid}', privs });
const vmAny = (...privs: string[]): PermCheck => ({ perm: '/vms/{vmid}', privs, any: true });
const CONFIG_ANY = [
  'VM.Config.Disk',
  'VM.Config.CDROM',
  'VM.Config.CPU',
  'VM.Config.Memory',
  'VM.Config.Network',
  'VM.Config.HWType',
  'VM.Config.Options',
  'VM.Config.Cloudinit',
];

/**
 * The `permissions` the PVE 9.1 API schema declares for every route the simulator serves (the
 * PVE 8 guest-agent routes check VM.Monitor instead: qemu-server before "api: agent: use more
 * specific guest agent privileges"). A route missing here is refused, as PVE refuses a method
 * without permissions to everyone but root@pam.
 */
export function routePermissions(flavour: Flavour): Record<string, RoutePermission> {
  const agentAudit = flavour === 'pve9' ? vmAny('VM.GuestAgent.Audit', 'VM.GuestAgent.Unrestricted') : vmPerm('VM.Monitor');
  const agentFull = flavour === 'pve9' ? vmPerm('VM.GuestAgent.Unrestricted') : vmPerm('VM.Monitor');
  const agentFileWrite = flavour === 'pve9' ? vmAny('VM.GuestAgent.FileWrite', 'VM.GuestAgent.Unrestricted') : vmPerm('VM.Monitor');
  return {
    'POST /access/ticket': 'world',
    'POST /nodes/{node}/qemu/{vmid}/termproxy': vmPerm('VM.Console'),
    'GET /nodes/{node}/qemu/{vmid}/vncwebsocket': vmPerm('VM.Console'),
    'GET /access/permissions': 'all',
    'GET /access/users': 'all',
    'GET /version': 'all',
    'GET /cluster/nextid': 'all',
    'GET /cluster/resources': 'all',
    'GET /nodes': 'all',
    'GET /nodes/{node}/status': { perm: '/nodes/{node}', privs: ['Sys.Audit'] },
    'GET /nodes/{node}/storage': 'all',
    'POST /nodes/{node}/vzdump': 'all',
    'GET /nodes/{node}/storage/{storage}/content': {
      perm: '/storage/{storage}',
      privs: ['Datastore.Audit', 'Datastore.AllocateSpace'],
      any: true,
    },
    'DELETE /nodes/{node}/storage/{storage}/content/{volume}': 'all',
    'GET /nodes/{node}/storage/{storage}/prunebackups': {
      perm: '/storage/{storage}',
      privs: ['Datastore.Audit', 'Datastore.AllocateSpace'],
      any: true,
    },
    'DELETE /nodes/{node}/storage/{storage}/prunebackups': 'all',
    'GET /nodes/{node}/network': 'all',
    'GET /nodes/{node}/qemu': 'all',
    // create_vm checks inside: VM.Allocate, or VM.Backup to restore over an existing VM
    'POST /nodes/{node}/qemu': 'all',
    'GET /nodes/{node}/tasks': 'all',
    'GET /nodes/{node}/tasks/{upid}/status': 'all',
    'GET /nodes/{node}/tasks/{upid}/log': 'all',
    'DELETE /nodes/{node}/tasks/{upid}': 'all',
    'GET /pools': 'all',
    'GET /pools/{poolid}': { perm: '/pool/{poolid}', privs: ['Pool.Audit'] },
    'POST /pools': { perm: '/pool/{poolid}', privs: ['Pool.Allocate'] },
    'PUT /pools': { perm: '/pool/{poolid}', privs: ['Pool.Allocate'] },
    'DELETE /pools': { perm: '/pool/{poolid}', privs: ['Pool.Allocate'] },
    'POST /nodes/{node}/qemu/{vmid}/clone': {
      and: [
        vmPerm('VM.Clone'),
        {
          or: [
            { perm: '/vms/{newid}', privs: ['VM.Allocate'] },
            { perm: '/pool/{pool}', privs: ['VM.Allocate'], requireParam: 'pool' },
          ],
        },
      ],
    },
    'GET /nodes/{node}/dns': { perm: '/nodes/{node}', privs: ['Sys.Audit'] },
    'GET /nodes/{node}/qemu/{vmid}/cloudinit/dump': vmPerm('VM.Audit'),
    'GET /cluster/ha/resources': { perm: '/', privs: ['Sys.Audit'] },
    'POST /cluster/ha/resources': { perm: '/', privs: ['Sys.Console'] },
    'GET /cluster/ha/resources/{sid}': { perm: '/', privs: ['Sys.Audit'] },
    'PUT /cluster/ha/resources/{sid}': { perm: '/', privs: ['Sys.Console'] },
    'DELETE /cluster/ha/resources/{sid}': { perm: '/', privs: ['Sys.Console'] },
    'GET /nodes/{node}/qemu/{vmid}/config': vmPerm('VM.Audit'),
    'GET /nodes/{node}/qemu/{vmid}/pending': vmPerm('VM.Audit'),
    'POST /nodes/{node}/qemu/{vmid}/config': vmAny(...CONFIG_ANY),
    'PUT /nodes/{node}/qemu/{vmid}/config': vmAny(...CONFIG_ANY),
    'GET /nodes/{node}/qemu/{vmid}/status/current': vmPerm('VM.Audit'),
    'POST /nodes/{node}/qemu/{vmid}/status/start': vmPerm('VM.PowerMgmt'),
    'POST /nodes/{node}/qemu/{vmid}/status/stop': vmPerm('VM.PowerMgmt'),
    'POST /nodes/{node}/qemu/{vmid}/status/shutdown': vmPerm('VM.PowerMgmt'),
    'POST /nodes/{node}/qemu/{vmid}/status/reboot': vmPerm('VM.PowerMgmt'),
    'POST /nodes/{node}/qemu/{vmid}/template': vmPerm('VM.Allocate'),
    'DELETE /nodes/{node}/qemu/{vmid}': vmPerm('VM.Allocate'),
    'PUT /nodes/{node}/qemu/{vmid}/resize': vmPerm('VM.Config.Disk'),
    'GET /nodes/{node}/qemu/{vmid}/snapshot': vmPerm('VM.Audit'),
    'POST /nodes/{node}/qemu/{vmid}/snapshot': vmPerm('VM.Snapshot'),
    'GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}': 'all',
    'DELETE /nodes/{node}/qemu/{vmid}/snapshot/{snapname}': vmPerm('VM.Snapshot'),
    'GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config': vmAny('VM.Snapshot', 'VM.Snapshot.Rollback', 'VM.Audit'),
    'PUT /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config': vmPerm('VM.Snapshot'),
    'POST /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback': vmAny('VM.Snapshot', 'VM.Snapshot.Rollback'),
    'PUT /nodes/{node}/qemu/{vmid}/cloudinit': vmPerm('VM.Config.Cloudinit'),
    'GET /nodes/{node}/qemu/{vmid}/firewall/options': vmPerm('VM.Audit'),
    'PUT /nodes/{node}/qemu/{vmid}/firewall/options': vmPerm('VM.Config.Network'),
    'GET /nodes/{node}/qemu/{vmid}/firewall/rules': vmPerm('VM.Audit'),
    'POST /nodes/{node}/qemu/{vmid}/firewall/rules': vmPerm('VM.Config.Network'),
    'DELETE /nodes/{node}/qemu/{vmid}/firewall/rules/{pos}': vmPerm('VM.Config.Network'),
    'POST /nodes/{node}/qemu/{vmid}/agent/ping': agentAudit,
    'GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces': agentAudit,
    'GET /nodes/{node}/qemu/{vmid}/agent/get-host-name': agentAudit,
    'GET /nodes/{node}/qemu/{vmid}/agent/get-osinfo': agentAudit,
    'GET /nodes/{node}/qemu/{vmid}/agent/get-fsinfo': agentAudit,
    'GET /nodes/{node}/qemu/{vmid}/agent/info': agentAudit,
    'POST /nodes/{node}/qemu/{vmid}/agent/exec': agentFull,
    'GET /nodes/{node}/qemu/{vmid}/agent/exec-status': agentFull,
    'POST /nodes/{node}/qemu/{vmid}/agent/file-write': agentFileWrite,
    'POST /nodes/{node}/qemu/{vmid}/agent/set-user-password': agentFull,
  };
}

function fill(template: string, params: Record<string, unknown>): string {
  return normalizeAclPath(template.replace(/\{(\w+)\}/g, (_m, k: string) => String(params[k] ?? '')));
}

/** exec_api2_perm_check: `and` stops at the first refusal, `or` refuses with no detail. */
function run(access: AccessControl, authid: string, check: PermCheck, params: Record<string, unknown>, noerr: boolean): boolean {
  if ('and' in check) {
    for (const c of check.and) run(access, authid, c, params, false);
    return true;
  }
  if ('or' in check) {
    for (const c of check.or) if (run(access, authid, c, params, true)) return true;
    if (noerr) return false;
    throw permissionError();
  }
  if (check.requireParam && params[check.requireParam] === undefined) {
    if (noerr) return false;
    throw permissionError();
  }
  const path = fill(check.perm, params);
  return check.any ? access.checkAny(authid, path, check.privs, noerr) : access.check(authid, path, check.privs, noerr);
}

/**
 * check_api2_permissions: what pveproxy checks before the handler runs (and before the
 * parameters are verified). root@pam passes everything; a route without declared
 * permissions is root-only.
 */
export function checkRoutePermission(
  access: AccessControl,
  table: Record<string, RoutePermission>,
  authid: string | undefined,
  key: string,
  params: Record<string, unknown>,
): void {
  const perm = table[key];
  if (perm === 'world') return;
  if (authid === undefined) throw permissionError('user != null');
  if (authid === 'root@pam') return;
  if (perm === undefined) throw permissionError('user != root@pam');
  if (perm === 'all') return;
  run(access, authid, perm, params, false);
}
