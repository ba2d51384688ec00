import { PveError } from '../server/pve-error';
import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';

const ALL_PRIVS = [
  'Datastore.Allocate', 'Datastore.AllocateSpace', 'Datastore.Audit', 'Pool.Allocate', 'Pool.Audit', 'SDN.Use',
  'Sys.Audit', 'Sys.Modify', 'VM.Allocate', 'VM.Audit', 'VM.Clone', 'VM.Config.CDROM', 'VM.Config.CPU',
  'VM.Config.Cloudinit', 'VM.Config.Disk', 'VM.Config.HWType', 'VM.Config.Memory', 'VM.Config.Network',
  'VM.Config.Options', 'VM.Migrate', 'VM.PowerMgmt', 'VM.Snapshot', 'VM.Snapshot.Rollback',
];

/** Privileges that exist in this flavour (PVE 9 split VM.Monitor into VM.GuestAgent.*). */
function flavourPrivs(sim: Sim): string[] {
  const agent = sim.opts.flavour === 'pve9' ? ['VM.GuestAgent.Audit', 'VM.GuestAgent.Unrestricted'] : ['VM.Monitor'];
  return [...ALL_PRIVS, ...agent].filter((p) => !sim.faults.deniedPrivileges.has(p));
}

/** Ticket login and the permission self-check. */
export const accessRoutes: Array<Route<Sim>> = [
  {
    method: 'POST',
    path: '/access/ticket',
    noAuth: true,
    schema: {
      username: { type: 'string' },
      password: { type: 'string' },
      realm: P.optString,
      otp: P.optString,
      'new-format': P.bool,
      path: P.optString,
      privs: P.optString,
      'tfa-challenge': P.optString,
    },
    handler: ({ sim, params }) => {
      let username = String(params.username);
      if (params.realm !== undefined && !username.includes('@')) username = `${username}@${String(params.realm)}`;
      const { ticket, csrf } = sim.auth.login(username, String(params.password));
      return {
        username,
        ticket,
        CSRFPreventionToken: csrf,
        cap: {
          vms: Object.fromEntries(flavourPrivs(sim).filter((p) => p.startsWith('VM.')).map((p) => [p, 1])),
          nodes: { 'Sys.Audit': 1 },
          storage: { 'Datastore.Audit': 1, 'Datastore.AllocateSpace': 1 },
        },
        clustername: 'betang-sim',
      };
    },
  },
  {
    method: 'GET',
    path: '/access/permissions',
    schema: { path: P.optString, userid: P.optString },
    handler: ({ sim, params }) => {
      const privs = Object.fromEntries(flavourPrivs(sim).map((p) => [p, 1]));
      const path = params.path === undefined ? '/' : String(params.path);
      return { [path]: privs };
    },
  },
  {
    method: 'GET',
    path: '/access/users',
    schema: {},
    handler: ({ sim, auth }) => {
      // ticket-only endpoint (allowtoken => 0 in PVE)
      if (auth.kind === 'token') throw new PveError(403, "URI '/access/users' not available with API token, need proper ticket.");
      return Object.keys(sim.opts.users).map((userid) => ({ userid, enable: 1, expire: 0 }));
    },
  },
];
