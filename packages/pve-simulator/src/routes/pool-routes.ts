import { die } from '../server/pve-error';
import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import { canAccess } from '../sim-context';

function members(sim: Sim, poolid: string): unknown[] {
  const pool = sim.state.pools.get(poolid);
  return [...(pool?.members ?? [])].flatMap((vmid) => {
    const vm = sim.state.vms.get(vmid);
    if (!vm) return [];
    return [
      {
        id: `qemu/${vmid}`,
        type: 'qemu',
        vmid,
        node: vm.node,
        name: vm.config.name,
        status: vm.power === 'stopped' ? 'stopped' : 'running',
        template: vm.config.template === '1' ? 1 : 0,
      },
    ];
  });
}

const poolid = { type: 'string', pattern: /[A-Za-z][-_A-Za-z0-9/]*/ } as const;

/** Pools: list, create, membership (PUT /pools, PVE ≥ 8.1), delete. */
export const poolRoutes: Array<Route<Sim>> = [
  {
    method: 'GET',
    path: '/pools',
    schema: { poolid: { ...poolid, optional: true }, type: { type: 'string', optional: true, enum: ['qemu', 'lxc', 'storage'] } },
    handler: ({ sim, params, auth }) => {
      // with poolid, PVE's Pool.Audit check is made with noerr and its answer ignored
      if (params.poolid !== undefined) {
        const id = String(params.poolid);
        const p = sim.state.pools.get(id);
        if (!p) throw die(`pool '${id}' does not exist`);
        return [{ poolid: id, ...(p.comment ? { comment: p.comment } : {}), members: members(sim, id) }];
      }
      return [...sim.state.pools.entries()]
        .filter(([id]) => canAccess(sim, auth, `/pool/${id}`, 'Pool.Audit'))
        .map(([id, p]) => ({ poolid: id, ...(p.comment ? { comment: p.comment } : {}) }));
    },
  },
  {
    method: 'GET',
    path: '/pools/{poolid}',
    schema: { poolid, type: { type: 'string', optional: true, enum: ['qemu', 'lxc', 'storage'] } },
    handler: ({ sim, params }) => {
      const id = String(params.poolid);
      const p = sim.state.pools.get(id);
      if (!p) throw die(`pool '${id}' does not exist`);
      return { members: members(sim, id), ...(p.comment ? { comment: p.comment } : {}) };
    },
  },
  {
    method: 'POST',
    path: '/pools',
    schema: { poolid, comment: P.optString },
    handler: ({ sim, params }) => {
      const id = String(params.poolid);
      if (sim.state.pools.has(id)) throw die(`create pool failed: pool '${id}' already exists`);
      sim.state.pools.set(id, { comment: params.comment === undefined ? undefined : String(params.comment), members: new Set() });
      return null;
    },
  },
  {
    method: 'PUT',
    path: '/pools',
    schema: { poolid, comment: P.optString, vms: P.optString, storage: P.optString, delete: P.bool, 'allow-move': P.bool },
    handler: ({ sim, params }) => {
      const id = String(params.poolid);
      const pool = sim.state.pools.get(id);
      if (!pool) throw die(`pool '${id}' does not exist`);
      if (params.comment !== undefined) pool.comment = String(params.comment);
      for (const v of String(params.vms ?? '')
        .split(/[,;\s]+/)
        .filter(Boolean)) {
        const vmid = Number(v);
        if (!sim.state.vms.has(vmid)) throw die(`no such VM '${vmid}'`);
        if (params.delete === 1) {
          pool.members.delete(vmid);
          continue;
        }
        const cur = sim.state.poolOf(vmid);
        if (cur && cur !== id && params['allow-move'] !== 1)
          throw die(`VM ${vmid} belongs already to pool '${cur}' and 'allow-move' is not set`);
        sim.state.setPool(vmid, id);
      }
      return null;
    },
  },
  {
    method: 'DELETE',
    path: '/pools',
    schema: { poolid },
    handler: ({ sim, params }) => {
      const id = String(params.poolid);
      const pool = sim.state.pools.get(id);
      if (!pool) throw die(`pool '${id}' does not exist`);
      if (pool.members.size > 0) throw die('pool is not empty');
      sim.state.pools.delete(id);
      return null;
    },
  },
];
