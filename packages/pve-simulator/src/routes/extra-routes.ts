import { die } from '../server/pve-error';
import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import { canAccess } from '../sim-context';
import type { SimVm } from '../state/types';

interface FirewallState {
  options: Record<string, string>;
  rules: Array<Record<string, string | number>>;
}

const firewalls = new WeakMap<SimVm, FirewallState>();

function fw(vm: SimVm): FirewallState {
  let f = firewalls.get(vm);
  if (!f) {
    f = { options: {}, rules: [] };
    firewalls.set(vm, f);
  }
  return f;
}

const policy = { type: 'string', optional: true, enum: ['ACCEPT', 'REJECT', 'DROP'] } as const;
const ruleSchema = {
  type: { type: 'string', enum: ['in', 'out', 'group'] },
  action: { type: 'string', pattern: /[A-Za-z][A-Za-z0-9\-_]+/ },
  enable: { type: 'integer', optional: true, minimum: 0 },
  macro: P.optString,
  proto: P.optString,
  dport: P.optString,
  sport: P.optString,
  source: P.optString,
  dest: P.optString,
  iface: P.optString,
  log: P.optString,
  comment: P.optString,
  'icmp-type': P.optString,
  pos: { type: 'integer', optional: true, minimum: 0 },
  digest: P.digest,
} as const;

/** Storage status per node, VM firewall options/rules (synchronous, null returns), cloud-init regenerate. */
export const extraRoutes: Array<Route<Sim>> = [
  {
    method: 'GET',
    path: '/nodes/{node}/storage',
    schema: { node: P.node, content: P.optString, enabled: P.bool, storage: P.optString },
    handler: ({ sim, params, auth }) => {
      const node = sim.state.node(String(params.node)).name;
      return sim.state.storages
        .filter((s) => canAccess(sim, auth, `/storage/${s.id}`, 'Datastore.Audit', 'Datastore.AllocateSpace'))
        .filter(
          (s) =>
            (!s.nodes || s.nodes.includes(node)) && (params.content === undefined || s.content.split(',').includes(String(params.content))),
        )
        .map((s) => {
          const total = s.totalGiB * 1024 ** 3;
          const used = sim.state.storageUsed(s.id, node);
          return {
            storage: s.id,
            type: s.type,
            content: s.content,
            active: 1,
            enabled: 1,
            shared: s.shared ? 1 : 0,
            total,
            used,
            avail: total - used,
            used_fraction: used / total,
          };
        });
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/firewall/options',
    schema: { node: P.node, vmid: P.vmid },
    handler: ({ sim, params }) => {
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      const o = fw(vm).options;
      return {
        enable: 0,
        policy_in: 'DROP',
        policy_out: 'ACCEPT',
        dhcp: 1,
        ipfilter: 0,
        macfilter: 1,
        ndp: 1,
        radv: 0,
        ...Object.fromEntries(Object.entries(o).map(([k, v]) => [k, /^\d+$/.test(v) ? Number(v) : v])),
      };
    },
  },
  {
    method: 'PUT',
    path: '/nodes/{node}/qemu/{vmid}/firewall/options',
    schema: {
      node: P.node,
      vmid: P.vmid,
      enable: P.bool,
      dhcp: P.bool,
      ipfilter: P.bool,
      macfilter: P.bool,
      ndp: P.bool,
      radv: P.bool,
      policy_in: policy,
      policy_out: policy,
      log_level_in: P.optString,
      log_level_out: P.optString,
      delete: P.optString,
      digest: P.digest,
    },
    handler: ({ sim, params }) => {
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      const o = fw(vm).options;
      for (const [k, v] of Object.entries(params)) if (!['node', 'vmid', 'delete', 'digest'].includes(k)) o[k] = String(v);
      for (const k of String(params.delete ?? '')
        .split(/[,;\s]+/)
        .filter(Boolean))
        delete o[k];
      return null;
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/firewall/rules',
    schema: { node: P.node, vmid: P.vmid },
    handler: ({ sim, params }) => fw(sim.state.vmOn(String(params.node), Number(params.vmid))).rules.map((r, pos) => ({ ...r, pos })),
  },
  {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/firewall/rules',
    schema: { node: P.node, vmid: P.vmid, ...ruleSchema },
    handler: ({ sim, params }) => {
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      const rule: Record<string, string | number> = { enable: 0 };
      for (const [k, v] of Object.entries(params))
        if (!['node', 'vmid', 'pos', 'digest'].includes(k)) rule[k] = Array.isArray(v) ? v.join(',') : v;
      const rules = fw(vm).rules;
      rules.splice(Math.min(Number(params.pos ?? 0), rules.length), 0, rule);
      return null;
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/qemu/{vmid}/firewall/rules/{pos}',
    schema: { node: P.node, vmid: P.vmid, pos: { type: 'integer', minimum: 0 }, digest: P.digest },
    handler: ({ sim, params }) => {
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      const rules = fw(vm).rules;
      if (Number(params.pos) >= rules.length) throw die(`no rule at position ${String(params.pos)}`);
      rules.splice(Number(params.pos), 1);
      return null;
    },
  },
  {
    method: 'PUT',
    path: '/nodes/{node}/qemu/{vmid}/cloudinit',
    schema: { node: P.node, vmid: P.vmid },
    handler: ({ sim, params }) => {
      sim.state.vmOn(String(params.node), Number(params.vmid));
      return null;
    },
  },
];
