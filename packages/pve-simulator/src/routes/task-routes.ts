import { paramError } from '../server/pve-error';
import type { ParsedParams } from '../server/params';
import { P } from '../server/params';
import type { Route } from '../server/router';
import { withExtra } from '../server/router';
import type { AuthInfo } from '../server/router';
import type { Sim } from '../sim-context';
import { authIdOf, canAccess, requirePriv } from '../sim-context';
import type { SimTask } from '../tasks/task-manager';
import { parseUpid } from '../tasks/upid';

function findTask(sim: Sim, node: string, upid: string): SimTask {
  if (!parseUpid(upid)) throw paramError({ upid: `unable to parse worker upid '${upid}'` });
  sim.state.node(node);
  const t = sim.tasks.tasks.get(upid);
  if (!t || t.node !== node) throw paramError({ upid: 'no such task' });
  return t;
}

/** $check_task_user: a token sees its own tasks, a user its own and its tokens'. */
function ownTask(t: SimTask, auth: AuthInfo): boolean {
  const id = authIdOf(auth);
  return t.owner.tokenid ? id === `${t.owner.user}!${t.owner.tokenid}` || id === t.owner.user : id === t.owner.user;
}

/** Someone else's task needs `priv` on the task's node. */
function mayRead(sim: Sim, t: SimTask, auth: AuthInfo, priv = 'Sys.Audit'): void {
  if (!ownTask(t, auth)) requirePriv(sim, auth, `/nodes/${t.node}`, priv);
}

function taskInfo(t: SimTask): Record<string, unknown> {
  const info: Record<string, unknown> = {
    upid: t.upid,
    node: t.node,
    pid: t.pid,
    pstart: t.pstart,
    starttime: t.starttime,
    type: t.type,
    id: t.id,
    user: t.owner.user,
  };
  if (t.owner.tokenid) info.tokenid = t.owner.tokenid;
  return info;
}

function statusKind(t: SimTask): string {
  if (t.status === 'running') return 'running';
  if (t.exitstatus === 'OK') return 'ok';
  if (t.exitstatus?.startsWith('WARNINGS')) return 'warning';
  return t.exitstatus === 'unexpected status' ? 'unknown' : 'error';
}

function listTasks(sim: Sim, p: ParsedParams, auth: AuthInfo): unknown {
  const node = String(p.node);
  sim.state.node(node);
  const source = String(p.source ?? 'archive');
  const auditor = canAccess(sim, auth, `/nodes/${node}`, 'Sys.Audit');
  let list = [...sim.tasks.tasks.values()].filter((t) => t.node === node && (auditor || ownTask(t, auth)));
  if (source === 'active') list = list.filter((t) => t.status === 'running');
  else if (source === 'archive') list = list.filter((t) => t.status === 'stopped');
  if (p.vmid !== undefined) list = list.filter((t) => t.id === String(p.vmid));
  if (p.typefilter !== undefined) list = list.filter((t) => t.type === p.typefilter);
  if (p.userfilter !== undefined) list = list.filter((t) => t.owner.user.includes(String(p.userfilter)));
  if (p.errors === 1) list = list.filter((t) => t.status === 'stopped' && t.exitstatus !== 'OK');
  if (p.statusfilter !== undefined) {
    const allowed = String(p.statusfilter).split(/[,;\s]+/);
    list = list.filter((t) => allowed.includes(statusKind(t)));
  }
  if (p.since !== undefined) list = list.filter((t) => t.starttime >= Number(p.since));
  if (p.until !== undefined) list = list.filter((t) => t.starttime <= Number(p.until));
  list.sort((a, b) => b.starttime - a.starttime || b.pid - a.pid);
  const start = Number(p.start ?? 0);
  const limit = Number(p.limit ?? 50);
  const page = list.slice(start, limit > 0 ? start + limit : undefined).map((t) => ({
    ...taskInfo(t),
    ...(t.status === 'stopped' ? { endtime: t.endtime, status: t.exitstatus } : { status: 'RUNNING' }),
  }));
  return withExtra(page, { total: list.length });
}

const upidRoute = { node: P.node, upid: { type: 'string' } } as const;

/** Task status, log, list and stop. */
export const taskRoutes: Array<Route<Sim>> = [
  {
    method: 'GET',
    path: '/nodes/{node}/tasks',
    schema: {
      node: P.node,
      vmid: { ...P.vmid, optional: true },
      typefilter: P.optString,
      userfilter: P.optString,
      statusfilter: P.optString,
      source: { type: 'string', optional: true, enum: ['archive', 'active', 'all'] },
      errors: P.bool,
      limit: { type: 'integer', optional: true, minimum: 0 },
      start: { type: 'integer', optional: true, minimum: 0 },
      since: { type: 'integer', optional: true },
      until: { type: 'integer', optional: true },
    },
    handler: ({ sim, params, auth }) => listTasks(sim, params, auth),
  },
  {
    method: 'GET',
    path: '/nodes/{node}/tasks/{upid}/status',
    schema: upidRoute,
    handler: ({ sim, params, auth }) => {
      const t = findTask(sim, String(params.node), String(params.upid));
      mayRead(sim, t, auth);
      return { ...taskInfo(t), status: t.status, ...(t.status === 'stopped' ? { exitstatus: t.exitstatus } : {}) };
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/tasks/{upid}/log',
    schema: {
      ...upidRoute,
      start: { type: 'integer', optional: true, minimum: 0 },
      limit: { type: 'integer', optional: true, minimum: 0 },
      download: P.bool,
    },
    handler: ({ sim, params, auth }) => {
      const t = findTask(sim, String(params.node), String(params.upid));
      mayRead(sim, t, auth);
      const start = Number(params.start ?? 0);
      const limit = Number(params.limit ?? 50);
      const lines = t.log.map((text, i) => ({ n: i + 1, t: text }));
      const page = lines.slice(start, limit > 0 ? start + limit : undefined);
      if (lines.length === 0) return withExtra([{ n: 1, t: 'no content' }], { total: 1 });
      return withExtra(page, { total: lines.length });
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/tasks/{upid}',
    schema: upidRoute,
    handler: ({ sim, params, auth }) => {
      const t = findTask(sim, String(params.node), String(params.upid));
      mayRead(sim, t, auth, 'Sys.Modify');
      if (t.status === 'running') t.aborted = true;
      return null;
    },
  },
];
