import { die } from '../server/pve-error';
import type { ParamSpec } from '../server/params';
import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import { beforeWorker, ownerOf, requirePriv } from '../sim-context';
import { configDigest, memoryMiB, toWire } from '../state/config-wire';
import { configDisks } from '../state/disks';
import { checkConfigId, configCanSnapshot, vmstateSizeMiB, vmstateVolume } from '../state/snapshot-storage';
import type { SimVm } from '../state/types';
import type { TaskContext } from '../tasks/task-manager';
import { boot, powerOff } from './qemu-power';
import { checkLock, lockVm, stillThere } from './vm-helpers';

/** The `pve-snapshot-name` standard option. */
const SNAPNAME: ParamSpec = { type: 'string', maxLength: 40, format: checkConfigId };

/** Keys __snapshot_copy_config does not copy between the current config and a snapshot. */
const NOT_COPIED = new Set(['snapshots', 'snapstate', 'snaptime', 'vmstate', 'lock', 'digest', 'description']);

function copyConfig(source: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) if (!NOT_COPIED.has(k) && !/^unused\d+$/.test(k)) out[k] = v;
  return out;
}

/** Takes the config flock as lock_config does; a timeout surfaces as PVE's message. */
async function underFlock<T>(sim: Sim, vm: SimVm, fn: () => T): Promise<T> {
  const release = await lockVm(sim, vm.vmid);
  try {
    stillThere(sim, vm);
    return fn();
  } finally {
    release();
  }
}

function volid(d: { storage: string; volume: string }): string {
  return `${d.storage}:${d.volume}`;
}

/** AbstractConfig::snapshot_create: prepare (lock `snapshot`), volume snapshots, commit (`parent`). */
async function snapshotCreate(
  sim: Sim,
  t: TaskContext,
  vm: SimVm,
  snapname: string,
  vmstate: boolean,
  comment: string | undefined,
): Promise<void> {
  const snap = await underFlock(sim, vm, () => {
    if (vm.config.template === '1') throw new Error("you can't take a snapshot if it's a template");
    checkLock(vm);
    if (vm.snapshots[snapname]) throw new Error(`snapshot name '${snapname}' already used`);
    if (!configCanSnapshot(sim.state, vm.config)) throw new Error('snapshot feature is not available');
    for (const [name, other] of Object.entries(vm.snapshots)) {
      if (other.parent === snapname) {
        t.warn(`deleting parent '${snapname}' reference from '${name}' to avoid bogus snapshot cycle.`);
        delete other.parent;
      }
    }
    vm.config.lock = 'snapshot';
    const s: Record<string, string> = {};
    if (vmstate && vm.power !== 'stopped') {
      s.vmstate = vmstateVolume(sim.state, vm.vmid, snapname, vm.config);
      s.runningmachine = vm.config.machine ?? 'pc-i440fx-10.1+pve0';
      s.runningcpu = 'qemu64,+aes,enforce,+kvm_pv_eoi,+kvm_pv_unhalt,+pni,+popcnt,+sse4.1,+sse4.2,+ssse3';
    }
    Object.assign(s, copyConfig(vm.config), { snapstate: 'prepare', snaptime: String(Math.floor(sim.clock.now() / 1000)) });
    if (comment) s.description = comment;
    vm.snapshots[snapname] = s;
    return s;
  });
  try {
    if (snap.vmstate) {
      const storeid = snap.vmstate.split(':')[0] ?? '';
      t.log(`saving VM state and RAM using storage '${storeid}' (${vmstateSizeMiB(vm.config)} MiB reserved)`);
      const mib = memoryMiB(vm.config) * 0.2;
      await t.sleep(Math.max(800, mib * 2));
      t.log(`completed saving the VM state in 2s, saved ${mib.toFixed(2)} MiB`);
    }
    for (const [key, d] of configDisks(snap)) {
      if (d.isCdrom) continue;
      t.log(`snapshotting 'drive-${key}' (${volid(d)})`);
      await t.sleep(600);
    }
    if (snap.vmstate) t.log('resuming VM again');
  } catch (err) {
    t.warn('snapshot create failed: starting cleanup');
    delete vm.snapshots[snapname];
    if (vm.config.lock === 'snapshot') delete vm.config.lock;
    throw err;
  }
  await underFlock(sim, vm, () => {
    if (vm.config.lock !== 'snapshot') throw new Error('missing snapshot lock');
    const s = vm.snapshots[snapname];
    if (!s) throw new Error(`snapshot '${snapname}' does not exist`);
    if (s.snapstate !== 'prepare') throw new Error('wrong snapshot state');
    delete s.snapstate;
    delete vm.config.lock;
    vm.config.parent = snapname;
  });
}

/** AbstractConfig::snapshot_delete: lock `snapshot-delete`, snapstate `delete`, volumes, then the section and parent links. */
async function snapshotDelete(sim: Sim, t: TaskContext, vm: SimVm, snapname: string): Promise<void> {
  const snap = await underFlock(sim, vm, () => {
    const s = vm.snapshots[snapname];
    if (!s) throw new Error(`snapshot '${snapname}' does not exist`);
    checkLock(vm);
    if (vm.config.template === '1') throw new Error("you can't delete a snapshot if vm is a template");
    vm.config.lock = 'snapshot-delete';
    s.snapstate = 'delete';
    return s;
  });
  if (snap.vmstate) {
    await t.sleep(300);
    delete snap.vmstate;
  }
  for (const [key, d] of configDisks(snap)) {
    if (d.isCdrom) continue;
    await t.sleep(500);
    t.log(`delete snapshot '${snapname}' of drive-${key} (${volid(d)})`);
  }
  await underFlock(sim, vm, () => {
    if (vm.config.lock !== 'snapshot-delete') throw new Error("encountered invalid lock, expected 'snapshot-delete'");
    const parent = snap.parent;
    const relink = (conf: Record<string, string>): void => {
      if (conf.parent !== snapname) return;
      if (parent) conf.parent = parent;
      else delete conf.parent;
    };
    relink(vm.config);
    for (const [name, other] of Object.entries(vm.snapshots)) if (name !== snapname) relink(other);
    delete vm.snapshots[snapname];
    delete vm.config.lock;
  });
}

/** ZFSPoolPlugin::volume_rollback_is_possible: only the most recent snapshot of a ZFS volume can be rolled back to. */
function checkRollbackPossible(sim: Sim, vm: SimVm, snapname: string, snap: Record<string, string>): void {
  const names = Object.keys(vm.snapshots);
  const later = names.slice(names.indexOf(snapname) + 1);
  for (const [, d] of configDisks(snap)) {
    if (d.isCdrom || sim.state.storage(d.storage)?.type !== 'zfspool') continue;
    const blockers = later.filter((n) =>
      configDisks(vm.snapshots[n] ?? {}).some(([, o]) => o.storage === d.storage && o.volume === d.volume),
    );
    if (blockers.length > 0) throw new Error(`can't rollback, '${snapname}' is not most recent snapshot on '${volid(d)}'`);
  }
}

/** AbstractConfig::snapshot_rollback (+ the API's `start`): stop, lock `rollback`, volumes, config from the snapshot, resume with RAM. */
async function snapshotRollback(sim: Sim, t: TaskContext, vm: SimVm, snapname: string, start: boolean): Promise<void> {
  const snap = await underFlock(sim, vm, () => {
    if (vm.config.template === '1') throw new Error("you can't rollback if vm is a template");
    const s = vm.snapshots[snapname];
    if (!s) throw new Error(`snapshot '${snapname}' does not exist`);
    checkRollbackPossible(sim, vm, snapname, s);
    if (s.snapstate) throw new Error(`unable to rollback to incomplete snapshot (snapstate = ${s.snapstate})`);
    checkLock(vm);
    return s;
  });
  if (vm.power !== 'stopped') {
    if (sim.qemu) await sim.qemu.stop(vm.vmid);
    else await t.sleep(800);
    powerOff(vm);
  }
  await underFlock(sim, vm, () => {
    checkLock(vm);
    vm.config.lock = 'rollback';
  });
  for (const [, d] of configDisks(snap)) {
    if (d.isCdrom) continue;
    await t.sleep(700);
    t.log(`Rolling back to snapshot: 100% complete...done.`);
  }
  await underFlock(sim, vm, () => {
    if (vm.config.lock !== 'rollback') throw new Error('got wrong lock');
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(vm.config)) if (/^unused\d+$/.test(k) || k === 'description') kept[k] = v;
    const inSnap = new Set(configDisks(snap).map(([, d]) => volid(d)));
    let n = 0;
    for (const [, d] of configDisks(vm.config)) {
      if (d.isCdrom || inSnap.has(volid(d)) || Object.values(kept).some((v) => v === volid(d))) continue;
      while (kept[`unused${n}`] !== undefined) n++;
      kept[`unused${n}`] = volid(d);
    }
    const next: Record<string, string> = { ...kept, ...copyConfig(snap), parent: snapname };
    delete next.runningmachine;
    delete next.runningcpu;
    delete next['running-nets-host-mtu'];
    vm.config = next;
    vm.pending = {};
    vm.pendingDelete = [];
  });
  if (snap.vmstate) {
    // The RAM state resumes the guest where it was: its agent and sshd are already up.
    await boot(sim, vm, t);
    const now = sim.clock.now();
    if (vm.agentPlan)
      vm.agentPlan = { notRunningUntil: now, timeoutUntil: now, linkLocalUntil: now, hostKeysAt: now, cloudInitDoneAt: now };
  } else if (start) {
    await boot(sim, vm, t);
  }
}

/** The listing's `current` entry and one item per snapshot section, as qemu-server's snapshot_list. */
function listSnapshots(sim: Sim, vm: SimVm): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = Object.entries(vm.snapshots).map(([name, s]) => ({
    name,
    snaptime: Number(s.snaptime ?? 0),
    vmstate: s.vmstate ? 1 : 0,
    description: s.description ?? '',
    ...(s.parent ? { parent: s.parent } : {}),
    ...(s.snapstate ? { snapstate: s.snapstate } : {}),
  }));
  out.push({
    name: 'current',
    digest: configDigest(vm.config, vm.pending, vm.snapshots),
    running: vm.power === 'stopped' ? 0 : 1,
    description: 'You are here!',
    ...(vm.config.parent ? { parent: vm.config.parent } : {}),
  });
  return out;
}

const base = { node: P.node, vmid: P.vmid };
const withName = { ...base, snapname: SNAPNAME };

/** /nodes/{node}/qemu/{vmid}/snapshot and below: qmsnapshot, qmdelsnapshot, qmrollback and the snapshot config. */
export const snapshotRoutes: Array<Route<Sim>> = [
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/snapshot',
    schema: base,
    handler: ({ sim, params }) => listSnapshots(sim, sim.state.vmOn(String(params.node), Number(params.vmid))),
  },
  {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/snapshot',
    schema: { ...withName, vmstate: P.bool, description: P.optString },
    handler: (ctx) => {
      const { sim, params } = ctx;
      const snapname = String(params.snapname);
      if (snapname === 'current') throw die("unable to use snapshot name 'current' (reserved name)");
      if (snapname.toLowerCase() === 'pending') throw die("unable to use snapshot name 'pending' (reserved name)");
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      beforeWorker(sim);
      const comment = params.description === undefined ? undefined : String(params.description);
      return sim.tasks.start(vm.node, 'qmsnapshot', String(vm.vmid), ownerOf(ctx.auth), (t) =>
        snapshotCreate(sim, t, vm, snapname, params.vmstate === 1, comment),
      );
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/snapshot/{snapname}',
    schema: withName,
    handler: () => [{ cmd: 'rollback' }, { cmd: 'config' }],
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/qemu/{vmid}/snapshot/{snapname}',
    schema: { ...withName, force: P.bool },
    handler: (ctx) => {
      const { sim, params } = ctx;
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      beforeWorker(sim);
      return sim.tasks.start(vm.node, 'qmdelsnapshot', String(vm.vmid), ownerOf(ctx.auth), (t) =>
        snapshotDelete(sim, t, vm, String(params.snapname)),
      );
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config',
    schema: withName,
    handler: ({ sim, params }) => {
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      const snap = vm.snapshots[String(params.snapname)];
      if (!snap) throw die(`snapshot '${String(params.snapname)}' does not exist`);
      return toWire(snap, sim.opts.flavour === 'pve9');
    },
  },
  {
    method: 'PUT',
    path: '/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config',
    schema: { ...withName, description: P.optString },
    handler: async ({ sim, params }) => {
      if (params.description === undefined) return null;
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      const release = await lockVm(sim, vm.vmid).catch((e: Error) => {
        throw die(e.message);
      });
      try {
        checkLock(vm);
        const snap = vm.snapshots[String(params.snapname)];
        if (!snap) throw die(`snapshot '${String(params.snapname)}' does not exist`);
        snap.description = String(params.description);
      } finally {
        release();
      }
      return null;
    },
  },
  {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback',
    schema: { ...withName, start: P.bool },
    handler: (ctx) => {
      const { sim, params } = ctx;
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      // vm_start runs inside the worker, past its own permission check
      if (params.start === 1) requirePriv(sim, ctx.auth, `/vms/${vm.vmid}`, 'VM.PowerMgmt');
      beforeWorker(sim);
      return sim.tasks.start(vm.node, 'qmrollback', String(vm.vmid), ownerOf(ctx.auth), (t) =>
        snapshotRollback(sim, t, vm, String(params.snapname), params.start === 1),
      );
    },
  },
];
