import { PveError } from '../server/pve-error';
import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import { authIdOf, requirePriv } from '../sim-context';
import { mapToObject, normalizeAclPath } from '../access/access-control';

/**
 * compute_api_permission: the ticket's `cap`, privileges per top-level area collected from the
 * required paths and every ACL path (pool ACLs count for vms and storage).
 */
function capabilities(sim: Sim, authid: string): Record<string, Record<string, number>> {
  const areas: Record<string, RegExp> = {
    vms: /^(VM\.|Permissions\.Modify)/,
    access: /^((User|Group)\.|Permissions\.Modify)/,
    storage: /^(Datastore\.|Permissions\.Modify)/,
    nodes: /^(Sys\.|Permissions\.Modify)/,
    sdn: /^(SDN\.|Permissions\.Modify)/,
    dc: /^(Sys\.Audit|Sys\.Modify|SDN\.)/,
    mapping: /^(Mapping\.|Permissions.Modify)/,
  };
  const res: Record<string, Record<string, number>> = Object.fromEntries(Object.keys(areas).map((a) => [a, {}]));
  const paths = new Set([
    '/',
    '/nodes',
    '/access/groups',
    '/vms',
    '/storage',
    '/sdn',
    '/mapping',
    ...sim.access.listAcls().map((a) => a.path),
  ]);
  for (const path of paths) {
    const privs = [...sim.access.permissions(authid, path).keys()];
    const top = /^\/(\w+)/.exec(path)?.[1] ?? 'dc';
    if (top === 'pool') {
      for (const p of privs) {
        if (p.startsWith('VM.') || p === 'Permissions.Modify') (res.vms ??= {})[p] = 1;
        if (p.startsWith('Datastore.') || p === 'Permissions.Modify') (res.storage ??= {})[p] = 1;
      }
      continue;
    }
    const re = areas[top];
    if (!re) continue;
    for (const p of privs) if (re.test(p)) (res[top] ??= {})[p] = 1;
  }
  return res;
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
        cap: capabilities(sim, username),
        clustername: 'betang-sim',
      };
    },
  },
  {
    method: 'GET',
    path: '/access/permissions',
    schema: { path: P.optString, userid: P.optString },
    handler: ({ sim, params, auth }) => {
      const self = authIdOf(auth);
      const userid = params.userid === undefined ? self : String(params.userid);
      const owner = userid.includes('!') ? userid.slice(0, userid.indexOf('!')) : undefined;
      // anyone may dump their own permissions and their tokens'; others' need Sys.Audit on /access
      if (userid !== self && owner !== self) requirePriv(sim, auth, '/access', 'Sys.Audit');
      if (params.path !== undefined) {
        const path = String(params.path);
        return { [path]: mapToObject(sim.access.permissions(userid, normalizeAclPath(path))) };
      }
      return sim.access.effective(userid);
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
