import { paramError } from '../server/pve-error';
import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import type { AuthInfo } from '../server/router';
import { canAccess } from '../sim-context';
import { broadcastRrd } from '../state/rrd';
import { nodeStats, storageEntries } from './node-views';

function vmEntries(sim: Sim, auth: AuthInfo): unknown[] {
  if (sim.clock.scale(sim.opts.resourcesLagSeconds * 1000) === 0) broadcastRrd(sim);
  return [...sim.state.vms.values()]
    .sort((a, b) => a.vmid - b.vmid)
    .filter((vm) => canAccess(sim, auth, `/vms/${vm.vmid}`, 'VM.Audit'))
    .map((vm) => {
      const rrd = sim.state.rrd.get(vm.vmid);
      const online = sim.state.nodes.get(vm.node)?.online ?? false;
      const e: Record<string, unknown> = {
        id: `qemu/${vm.vmid}`,
        type: 'qemu',
        vmid: vm.vmid,
        node: vm.node,
        status: online ? (rrd?.status ?? 'unknown') : 'unknown',
        template: vm.config.template === '1' ? 1 : 0,
      };
      if (rrd?.name !== undefined && online) {
        Object.assign(e, {
          name: rrd.name,
          maxcpu: rrd.maxcpu,
          cpu: rrd.status === 'running' ? 0.01 : 0,
          maxmem: rrd.maxmem,
          mem: rrd.status === 'running' ? Math.floor((rrd.maxmem ?? 0) * 0.4) : 0,
          maxdisk: rrd.maxdisk,
          disk: 0,
          netin: 0,
          netout: 0,
          diskread: 0,
          diskwrite: 0,
          uptime: rrd.uptime,
        });
      }
      const pool = sim.state.poolOf(vm.vmid);
      if (pool && canAccess(sim, auth, `/pool/${pool}`, 'Pool.Audit')) e.pool = pool;
      if (vm.config.lock) e.lock = vm.config.lock;
      if (vm.config.tags) e.tags = vm.config.tags;
      return e;
    });
}

/** Node entries shared by /cluster/resources and /nodes; stats only with Sys.Audit on the node. */
function nodeEntries(sim: Sim, auth: AuthInfo, extra: Record<string, unknown>): unknown[] {
  return [...sim.state.nodes.values()].map((n) => ({
    id: `node/${n.name}`,
    type: 'node',
    node: n.name,
    status: n.online ? 'online' : 'offline',
    level: '',
    ...extra,
    ...(canAccess(sim, auth, `/nodes/${n.name}`, 'Sys.Audit') && n.online ? nodeStats(sim, n) : {}),
  }));
}

/** /version, /cluster/nextid, /cluster/resources. */
export const clusterRoutes: Array<Route<Sim>> = [
  {
    method: 'GET',
    path: '/version',
    schema: {},
    handler: ({ sim }) =>
      sim.opts.flavour === 'pve9'
        ? { version: '9.1.3', release: '9.1', repoid: '14a22df0' }
        : { version: '8.0.4', release: '8.0', repoid: 'd258a813' },
  },
  {
    method: 'GET',
    path: '/cluster/nextid',
    schema: { vmid: { ...P.vmid, optional: true } },
    handler: ({ sim, params }) => {
      if (params.vmid !== undefined) {
        const id = Number(params.vmid);
        if (sim.state.vms.has(id)) throw paramError({ vmid: `VM ${id} already exists` });
        return String(id);
      }
      return String(sim.state.nextFreeId());
    },
  },
  {
    method: 'GET',
    path: '/cluster/resources',
    schema: { type: { type: 'string', optional: true, enum: ['vm', 'storage', 'node', 'sdn', 'pool'] } },
    handler: ({ sim, params, auth }) => {
      const t = params.type;
      const out: unknown[] = [];
      if (t === undefined || t === 'node') out.push(...nodeEntries(sim, auth, { 'cgroup-mode': 2 }));
      if (t === undefined || t === 'vm') out.push(...vmEntries(sim, auth));
      if (t === undefined || t === 'storage') {
        out.push(
          ...storageEntries(sim).filter((e) => canAccess(sim, auth, `/storage/${(e as { storage: string }).storage}`, 'Datastore.Audit')),
        );
      }
      if (t === undefined || t === 'pool') {
        for (const id of sim.state.pools.keys())
          if (canAccess(sim, auth, `/pool/${id}`, 'Pool.Audit')) out.push({ id: `/pool/${id}`, type: 'pool', pool: id });
      }
      return out;
    },
  },
  {
    method: 'GET',
    path: '/nodes',
    schema: {},
    handler: ({ sim, auth }) => nodeEntries(sim, auth, { ssl_fingerprint: sim.fingerprint }),
  },
  {
    method: 'GET',
    path: '/nodes/{node}/status',
    schema: { node: P.node },
    handler: ({ sim, params }) => {
      const n = sim.state.node(String(params.node));
      const s = nodeStats(sim, n);
      const ver = sim.opts.flavour === 'pve9' ? 'pve-manager/9.1.3/14a22df0a1b2c3d4' : 'pve-manager/8.0.4/d258a813cfa6b390';
      const kernel = sim.opts.flavour === 'pve9' ? '6.14.11-4-pve' : '6.2.16-3-pve';
      return {
        memory: { total: s.maxmem, used: s.mem, free: s.maxmem - s.mem, available: s.maxmem - s.mem },
        swap: { total: 8589934592, used: 0, free: 8589934592 },
        rootfs: { total: 100 * 1024 ** 3, used: 12 * 1024 ** 3, free: 88 * 1024 ** 3, avail: 83 * 1024 ** 3 },
        cpu: s.cpu,
        wait: 0.0012,
        cpuinfo: {
          cpus: s.maxcpu,
          cores: s.maxcpu / 2,
          sockets: 1,
          model: 'AMD EPYC 7313P 16-Core Processor',
          mhz: '3000.000',
          hvm: '1',
          flags: '',
          user_hz: 100,
        },
        loadavg: ['0.42', '0.37', '0.31'],
        uptime: s.uptime,
        kversion: `Linux ${kernel} #1 SMP PREEMPT_DYNAMIC PMX`,
        'current-kernel': { sysname: 'Linux', release: kernel, version: '#1 SMP PREEMPT_DYNAMIC PMX', machine: 'x86_64' },
        'boot-info': { mode: 'efi', secureboot: 0 },
        pveversion: ver,
        ksm: { shared: 0 },
        idle: 0,
      };
    },
  },
];
