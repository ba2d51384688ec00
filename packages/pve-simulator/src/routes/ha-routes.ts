import { die } from '../server/pve-error';
import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import { beforeWorker } from '../sim-context';
import { requestHaState, removeHaResource, type HaResource, type HaState } from '../state/ha-manager';
import { haPower } from './qemu-power';

const STATES = ['started', 'stopped', 'enabled', 'disabled', 'ignored'];

/** pve-ha-manager's parse_sid for VMs: `vm:100` or a bare `100`; containers are not simulated. */
function parseSid(sid: string): number {
  const m = /^(?:vm:)?(\d+)$/.exec(sid);
  if (!m) throw die(`unable to parse service id '${sid}'`);
  return Number(m[1]);
}

function stateOf(v: unknown): HaState {
  return v === undefined || v === 'enabled' ? 'started' : (String(v) as HaState);
}

function entry(vmid: number, r: HaResource): Record<string, unknown> {
  return {
    sid: `vm:${vmid}`,
    type: 'vm',
    state: r.state,
    max_restart: r.maxRestart,
    max_relocate: r.maxRelocate,
    ...(r.comment ? { comment: r.comment } : {}),
  };
}

/** /cluster/ha/resources: HA resources of VMs (resources.cfg), with the CRM/LRM acting a round later. */
export const haRoutes: Array<Route<Sim>> = [
  {
    method: 'GET',
    path: '/cluster/ha/resources',
    schema: { type: { type: 'string', optional: true, enum: ['ct', 'vm'] } },
    handler: ({ sim, params }) => {
      if (params.type === 'ct') return [];
      return [...sim.state.ha.entries()].sort(([a], [b]) => a - b).map(([vmid, r]) => entry(vmid, r));
    },
  },
  {
    method: 'POST',
    path: '/cluster/ha/resources',
    schema: {
      sid: { type: 'string' },
      type: { type: 'string', optional: true, enum: ['ct', 'vm'] },
      state: { type: 'string', optional: true, enum: STATES },
      comment: { type: 'string', optional: true, maxLength: 4096 },
      group: P.optString,
      failback: P.bool,
      max_restart: { type: 'integer', optional: true, minimum: 0 },
      max_relocate: { type: 'integer', optional: true, minimum: 0 },
    },
    handler: ({ sim, params }) => {
      beforeWorker(sim);
      const vmid = parseSid(String(params.sid));
      if (params.type === 'ct') throw die('types does not match');
      if (!sim.state.vms.has(vmid)) throw die(`resource 'vm:${vmid}' does not exist in cluster`);
      if (sim.state.ha.has(vmid)) throw die(`resource ID 'vm:${vmid}' already defined`);
      const res: HaResource = {
        state: 'started',
        maxRestart: params.max_restart === undefined ? 1 : Number(params.max_restart),
        maxRelocate: params.max_relocate === undefined ? 1 : Number(params.max_relocate),
        ...(params.comment !== undefined ? { comment: String(params.comment) } : {}),
      };
      sim.state.ha.set(vmid, res);
      requestHaState(sim, haPower, vmid, stateOf(params.state));
      return null;
    },
  },
  {
    method: 'GET',
    path: '/cluster/ha/resources/{sid}',
    schema: { sid: { type: 'string' } },
    handler: ({ sim, params }) => {
      const vmid = parseSid(String(params.sid));
      const r = sim.state.ha.get(vmid);
      if (!r) throw die(`no such resource 'vm:${vmid}'`);
      return entry(vmid, r);
    },
  },
  {
    method: 'PUT',
    path: '/cluster/ha/resources/{sid}',
    schema: {
      sid: { type: 'string' },
      state: { type: 'string', optional: true, enum: STATES },
      comment: { type: 'string', optional: true, maxLength: 4096 },
      delete: P.optString,
      digest: P.digest,
      group: P.optString,
      failback: P.bool,
      max_restart: { type: 'integer', optional: true, minimum: 0 },
      max_relocate: { type: 'integer', optional: true, minimum: 0 },
    },
    handler: ({ sim, params }) => {
      beforeWorker(sim);
      const vmid = parseSid(String(params.sid));
      const r = sim.state.ha.get(vmid);
      if (!r) throw die(`no such resource 'vm:${vmid}'`);
      if (params.comment !== undefined) r.comment = String(params.comment);
      if (params.max_restart !== undefined) r.maxRestart = Number(params.max_restart);
      if (params.max_relocate !== undefined) r.maxRelocate = Number(params.max_relocate);
      if (params.state !== undefined) requestHaState(sim, haPower, vmid, stateOf(params.state));
      return null;
    },
  },
  {
    method: 'DELETE',
    path: '/cluster/ha/resources/{sid}',
    schema: { sid: { type: 'string' }, purge: P.bool },
    handler: ({ sim, params }) => {
      beforeWorker(sim);
      const vmid = parseSid(String(params.sid));
      if (!removeHaResource(sim, vmid)) throw die(`no such resource 'vm:${vmid}'`);
      return null;
    },
  },
];
