import { die, paramError } from '../server/pve-error';
import type { ParsedParams } from '../server/params';
import { P } from '../server/params';
import type { Route, RouteContext } from '../server/router';
import type { Sim } from '../sim-context';
import { beforeWorker, ownerOf, rootOnly } from '../sim-context';
import { checkBridgeAccess, checkConfigKeys, checkConfigWrite } from '../access/vm-checks';
import { CLOUDINIT_KEYS, CONFIG_CONTROL, CONFIG_KEYS, FAST_PLUG } from '../state/config-schema';
import { configDigest, memoryMiB, toWire } from '../state/config-wire';
import { normaliseTags } from '../state/formats';
import { authorizedKeys, validSshKeys } from '../guest/host-key';
import { parseNet, printNet } from '../state/net';
import type { SimVm } from '../state/types';
import type { TaskContext } from '../tasks/task-manager';
import { checkLock, lockVm, stillThere } from './vm-helpers';

const CONTROL = new Set(Object.keys(CONFIG_CONTROL));

interface ConfigChange {
  set: Record<string, string>;
  del: string[];
}

/** Checks update_vm_api makes before taking the flock; returns the normalised change set. */
function precheck(sim: Sim, ctx: RouteContext<Sim>, vmid: number): ConfigChange {
  const p = ctx.params;
  rootOnly(ctx.auth, 'skiplock', p.skiplock === 1);
  const set: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) if (!CONTROL.has(k)) set[k] = String(v);
  if (set.sshkeys !== undefined && !validSshKeys(authorizedKeys(set.sshkeys))) throw die('SSH public key validation error');
  const del = String(p.delete ?? '')
    .split(/[,;\s]+/)
    .filter(Boolean);
  if (Object.keys(set).length === 0 && del.length === 0 && p.revert === undefined) throw die('no options specified');
  const both = del.find((k) => set[k] !== undefined);
  if (both) throw paramError({ delete: `you can't use '-${both}' and -delete ${both}' at the same time` });
  if (set.lock !== undefined) rootOnly(ctx.auth, 'lock', true);
  for (const k of Object.keys(set)) {
    if (/^net\d+$/.test(k)) {
      const dev = parseNet(set[k] ?? '');
      if (typeof dev !== 'string') set[k] = printNet(dev, sim.rng);
    }
  }
  if (set.memory !== undefined) set.memory = set.memory.replace(/^current=/, '');
  if (set.tags !== undefined) set.tags = normaliseTags(set.tags);
  checkConfigKeys(sim, ctx.auth, vmid, del);
  checkConfigKeys(sim, ctx.auth, vmid, Object.keys(set));
  checkBridgeAccess(sim, ctx.auth, set);
  return { set, del };
}

/** Checks made under the flock: digest, config lock, balloon ≤ memory. */
function checkUnderLock(ctx: RouteContext<Sim>, vm: SimVm, change: ConfigChange): void {
  const p = ctx.params;
  if (p.digest !== undefined && p.digest !== configDigest(vm.config, vm.pending, vm.snapshots)) {
    throw die('checksum mismatch (file change by other user?)');
  }
  if (!(p.skiplock === 1)) checkLock(vm);
  const { set } = change;
  if (set.balloon !== undefined || set.memory !== undefined) {
    const mem = set.memory !== undefined ? Number(set.memory) : memoryMiB({ ...vm.config, ...vm.pending });
    const balloon = Number(set.balloon ?? vm.pending.balloon ?? vm.config.balloon ?? 0);
    if (balloon > mem) throw die('balloon value too large (must be smaller than assigned memory)');
  }
}

/** Applies a change: stopped VM → config; running → fast-plug/cloud-init/NIC at once, the rest pending. */
function apply(vm: SimVm, change: ConfigChange, warn: (l: string) => void): void {
  const live = vm.power !== 'stopped';
  for (const [k, v] of Object.entries(change.set)) {
    const hot = FAST_PLUG.has(k) || CLOUDINIT_KEYS.has(k) || /^(ipconfig|net)\d+$/.test(k);
    if (live && !hot) vm.pending[k] = v;
    else {
      vm.config[k] = v;
      delete vm.pending[k];
    }
  }
  for (const k of change.del) {
    // update_vm_api: check_protection before a drive or unused disk is removed
    if (vm.config.protection === '1' && /^(ide|sata|scsi|virtio|efidisk|tpmstate)\d+$/.test(k) && vm.config[k] !== undefined) {
      throw die(`can't remove drive '${k}' - protection mode enabled`);
    }
    if (vm.config.protection === '1' && /^unused\d+$/.test(k) && vm.config[k] !== undefined) {
      throw die(`can't remove unused disk '${vm.config[k] ?? ''}' - protection mode enabled`);
    }
    if (vm.config[k] === undefined && vm.pending[k] === undefined) {
      warn(`cannot delete '${k}' - not set in current configuration!`);
      continue;
    }
    const hot = FAST_PLUG.has(k) || CLOUDINIT_KEYS.has(k) || /^ipconfig\d+$/.test(k);
    if (live && !hot) vm.pendingDelete.push(k);
    else {
      delete vm.config[k];
      delete vm.pending[k];
    }
  }
}

async function prepareLocked(sim: Sim, ctx: RouteContext<Sim>): Promise<{ vm: SimVm; change: ConfigChange; release: () => void }> {
  sim.state.node(String(ctx.params.node));
  const change = precheck(sim, ctx, Number(ctx.params.vmid));
  const release = await lockVm(sim, Number(ctx.params.vmid), 10_000).catch((e: Error) => {
    throw die(e.message);
  });
  try {
    const vm = sim.state.vmOn(String(ctx.params.node), Number(ctx.params.vmid));
    checkUnderLock(ctx, vm, change);
    return { vm, change, release };
  } catch (e) {
    release();
    throw e;
  }
}

/** The "update VM N: -key value ..." line PVE logs first (sorted keys, cipassword hidden). */
function paramLog(p: ParsedParams): string {
  return Object.keys(p)
    .filter((k) => !['node', 'vmid', 'digest', 'background_delay'].includes(k))
    .sort()
    .map((k) => `-${k} ${k === 'cipassword' ? '<hidden>' : String(p[k])}`)
    .join(' ');
}

function readConfig(sim: Sim, vm: SimVm, p: ParsedParams): Record<string, unknown> {
  const cfg = p.current === 1 ? { ...vm.config } : { ...vm.config, ...vm.pending };
  if (p.current !== 1) for (const k of vm.pendingDelete) delete cfg[k];
  return { ...toWire(cfg, sim.opts.flavour === 'pve9'), digest: configDigest(vm.config, vm.pending, vm.snapshots) };
}

const schema = {
  ...CONFIG_KEYS,
  ...CONFIG_CONTROL,
  lock: {
    type: 'string',
    optional: true,
    enum: ['backup', 'clone', 'create', 'migrate', 'rollback', 'snapshot', 'snapshot-delete', 'suspending', 'suspended'],
  },
} as const;

/** GET/POST/PUT config and GET pending. */
export const configRoutes: Array<Route<Sim>> = [
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/config',
    schema: { node: P.node, vmid: P.vmid, current: P.bool, snapshot: P.optString },
    handler: ({ sim, params }) => {
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      if (params.snapshot !== undefined) {
        const snap = vm.snapshots[String(params.snapshot)];
        if (!snap) throw die(`snapshot '${String(params.snapshot)}' does not exist`);
        return { ...toWire(snap, sim.opts.flavour === 'pve9'), digest: configDigest(vm.config, vm.pending, vm.snapshots) };
      }
      return readConfig(sim, vm, params);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/pending',
    schema: { node: P.node, vmid: P.vmid },
    handler: ({ sim, params }) => {
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      const cur = toWire(vm.config, sim.opts.flavour === 'pve9');
      const pend = toWire(vm.pending, sim.opts.flavour === 'pve9');
      const keys = [...new Set([...Object.keys(cur), ...Object.keys(pend), ...vm.pendingDelete])].sort();
      return keys.map((key) => ({
        key,
        ...(cur[key] !== undefined ? { value: cur[key] } : {}),
        ...(pend[key] !== undefined ? { pending: pend[key] } : {}),
        ...(vm.pendingDelete.includes(key) ? { delete: 1 } : {}),
      }));
    },
  },
  {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/config',
    schema,
    handler: async (ctx) => {
      const { sim } = ctx;
      beforeWorker(sim);
      const { vm, change, release } = await prepareLocked(sim, ctx);
      const upid = sim.tasks.start(vm.node, 'qmconfig', String(vm.vmid), ownerOf(ctx.auth), async (t: TaskContext) => {
        try {
          t.log(`update VM ${vm.vmid}: ${paramLog(ctx.params)}`);
          await t.sleep(400);
          checkConfigWrite(sim, ctx.auth, vm.vmid, vm.config, change.set, change.del);
          apply(stillThere(sim, vm), change, t.warn);
        } finally {
          release();
        }
      });
      const delay = ctx.params.background_delay;
      if (delay === undefined) return upid;
      const until = sim.clock.now() + sim.clock.scale(Number(delay) * 1000);
      while (sim.clock.now() <= until) {
        const task = sim.tasks.tasks.get(upid);
        if (task?.status === 'stopped') {
          if (task.exitstatus === 'OK' || task.exitstatus?.startsWith('WARNINGS')) return null;
          throw die(`failed to update VM ${vm.vmid}: ${task.exitstatus ?? ''}`);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      return upid;
    },
  },
  {
    method: 'PUT',
    path: '/nodes/{node}/qemu/{vmid}/config',
    schema,
    handler: async (ctx) => {
      if (!ctx.sim.state.quorate) throw die('cluster not ready - no quorum?');
      const { vm, change, release } = await prepareLocked(ctx.sim, ctx);
      try {
        checkConfigWrite(ctx.sim, ctx.auth, vm.vmid, vm.config, change.set, change.del);
        apply(vm, change, () => undefined);
      } finally {
        release();
      }
      return null;
    },
  },
];
