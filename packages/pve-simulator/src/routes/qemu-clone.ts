import { randomUUID } from 'node:crypto';
import { die, paramError, PveError } from '../server/pve-error';
import { P } from '../server/params';
import type { Route, RouteContext } from '../server/router';
import type { Sim } from '../sim-context';
import { beforeWorker, ownerOf } from '../sim-context';
import { checkBridgeAccess, checkCloneStorage } from '../access/vm-checks';
import { checkDnsName, formatSize } from '../state/formats';
import { configDisks, DISK_KEY, parseDisk, printDisk } from '../state/disks';
import { parseNet, printNet } from '../state/net';
import { canCopySnapshot, checkConfigId, volumeFormat } from '../state/snapshot-storage';

const SNAPSHOT_KEYS = new Set(['parent', 'snaptime', 'vmstate', 'snapstate', 'runningcpu', 'runningmachine', 'running-nets-host-mtu']);
import type { SimVm } from '../state/types';
import type { TaskContext } from '../tasks/task-manager';
import { TaskKilled } from '../tasks/task-manager';
import { checkLock, lockVm } from './vm-helpers';

interface ClonePlan {
  src: SimVm;
  /** The configuration cloned: the VM's, or with `snapname` that snapshot's section. */
  srcConfig: Record<string, string>;
  snapname?: string;
  newid: number;
  full: boolean;
  storage?: string;
  target: string;
  name?: string;
  description?: string;
  pool?: string;
  /** `format` of a full clone; file storages name the volume by it, block storages are raw. */
  format?: string;
}

/** The name vdisk_alloc gives a full clone's disk: `<vmid>/vm-<vmid>-disk-<n>.<fmt>` on file storages. */
function cloneVolumeName(sim: Sim, storage: string, newid: number, n: number, format: string | undefined, srcVolume: string): string {
  const type = sim.state.storage(storage)?.type;
  if (type !== 'dir' && type !== 'nfs') return `vm-${newid}-disk-${n}`;
  return `${newid}/vm-${newid}-disk-${n}.${format ?? volumeFormat(srcVolume)}`;
}

function syncChecks(sim: Sim, ctx: RouteContext<Sim>): ClonePlan {
  const p = ctx.params;
  const node = String(p.node);
  const src = sim.state.vmOn(node, Number(p.vmid));
  const newid = Number(p.newid);
  const pool = p.pool === undefined ? undefined : String(p.pool);
  // VM.Clone and VM.Allocate are the route's declared checks (access/route-permissions.ts)
  if (pool !== undefined && !sim.state.pools.has(pool)) throw new PveError(403, `Permission check failed (pool '${pool}' does not exist)`);
  beforeWorker(sim);
  const snapname = p.snapname === undefined ? undefined : String(p.snapname);
  const snap = snapname === undefined ? undefined : src.snapshots[snapname];
  if (snapname !== undefined && !snap) throw die(`snapshot '${snapname}' does not exist`);
  const srcConfig = snap ?? src.config;
  const isTemplate = src.config.template === '1';
  const full = p.full === undefined ? !isTemplate : p.full === 1;
  const storage = p.storage === undefined ? undefined : String(p.storage);
  if (storage !== undefined && !full) throw die("parameter 'storage' not allowed for linked clones");
  if (p.format !== undefined && !full) throw die("parameter 'format' not allowed for linked clones");
  checkLock(src);
  checkCloneStorage(sim, ctx.auth, srcConfig, storage);
  checkBridgeAccess(sim, ctx.auth, srcConfig);
  const existing = sim.state.vms.get(newid);
  if (existing?.node === node) throw die(`unable to create VM ${newid}: config file already exists`);
  if (existing) throw die(`VM ${newid} already exists on node '${existing.node}'`);
  const target = p.target === undefined ? node : String(p.target);
  if (target !== node) {
    const t = sim.state.node(target);
    if (!t.online) throw die(`target node '${target}' is not online`);
    for (const [, d] of configDisks(srcConfig)) {
      if (!sim.state.storage(d.storage)?.shared) throw die(`can't clone VM to node '${target}' (VM uses local storage)`);
    }
    if (storage !== undefined && !sim.state.storage(storage)?.shared) throw die(`can't clone to non-shared storage '${storage}'`);
  }
  if (storage !== undefined) {
    const s = sim.state.storageOnNode(storage, node);
    if (!s) throw die(`storage '${storage}' does not exist`);
    if (!s.content.split(',').includes('images')) throw paramError({ storage: `storage '${storage}' does not support vm images` });
  }
  if (!full && !isTemplate) {
    // only base volumes (templates) support the storage 'clone' feature
    const first = configDisks(srcConfig).find(([, d]) => !d.isCloudinit);
    if (first)
      throw die(
        `Linked clone feature is not supported for${snap ? ' a snapshot of' : ''} '${first[1].storage}:${first[1].volume}' (${first[0]})`,
      );
  }
  if (full && snap) {
    // volume_has_feature('copy', …, $snapname): file storages copy only a qcow2 image's snapshot
    const stuck = configDisks(srcConfig).find(([, d]) => !d.isCdrom && !canCopySnapshot(sim.state.storage(d.storage), d.volume));
    if (stuck) throw die(`Full clone feature is not supported for a snapshot of '${stuck[1].storage}:${stuck[1].volume}' (${stuck[0]})`);
  }
  return {
    src,
    srcConfig,
    ...(snapname !== undefined ? { snapname } : {}),
    newid,
    full,
    storage,
    target,
    pool,
    name: p.name === undefined ? undefined : String(p.name),
    description: p.description === undefined ? undefined : String(p.description),
    format: p.format === undefined ? undefined : String(p.format),
  };
}

function storageLockError(sim: Sim, storage: string): Error | undefined {
  const left = sim.faults.storageLockTimeouts.get(storage) ?? 0;
  if (left <= 0) return undefined;
  sim.faults.storageLockTimeouts.set(storage, left - 1);
  return sim.state.storage(storage)?.shared
    ? new Error(`cfs-lock 'storage-${storage}' error: got lock request timeout`)
    : new Error(`can't lock file '/var/lock/pve-manager/pve-storage-${storage}' - got timeout`);
}

async function copyDisks(
  sim: Sim,
  t: TaskContext,
  plan: ClonePlan,
  vm: SimVm,
  base: Record<string, string>,
): Promise<Record<string, string>> {
  let diskNo = 0;
  const disks: Record<string, string> = {};
  // PVE rewrites <newid>.conf (options + lock: clone) after every cloned disk
  const write = (): void => {
    vm.config = { ...base, ...disks, lock: 'clone' };
    if (sim.faults.staleCloneLocks > 0 && sim.faults.staleCloneLockAt === 'after-first-disk') {
      sim.faults.staleCloneLocks--;
      throw new TaskKilled('worker killed');
    }
  };
  const sorted = configDisks(plan.srcConfig).sort(([a], [b]) => a.localeCompare(b));
  for (const [key, d] of sorted) {
    const storage = plan.storage ?? d.storage;
    if (d.isCloudinit) {
      t.log(`create full clone of drive ${key} (${d.storage}:${d.volume})`);
      disks[key] = printDisk({ ...d, storage, volume: `vm-${plan.newid}-cloudinit` });
      write();
      continue;
    }
    const lockErr = storageLockError(sim, storage);
    if (lockErr) throw lockErr;
    if (plan.full) {
      t.log(`create full clone of drive ${key} (${d.storage}:${d.volume})`);
      const s = sim.state.storage(storage);
      const free = (s?.totalGiB ?? 0) * 1024 ** 3 - sim.state.storageUsed(storage, plan.src.node);
      if (free < d.sizeBytes) {
        throw new Error(
          `unable to allocate image on storage '${storage}': not enough free space (${formatSize(Math.max(free, 0))} free, ${formatSize(d.sizeBytes)} required)`,
        );
      }
      const gib = d.sizeBytes / 1024 ** 3;
      for (const pct of [25, 50, 75, 100]) {
        await t.sleep(gib * 750);
        t.log(`transferred ${((gib * pct) / 100).toFixed(1)} GiB of ${gib.toFixed(1)} GiB (${pct.toFixed(2)}%)`);
      }
      disks[key] = printDisk({ ...d, storage, volume: cloneVolumeName(sim, storage, plan.newid, diskNo++, plan.format, d.volume) });
    } else {
      t.log(`create linked clone of drive ${key} (${d.storage}:${d.volume})`);
      await t.sleep(1500);
      disks[key] = printDisk({ ...d, volume: `${d.volume}/vm-${plan.newid}-disk-${diskNo++}` });
    }
    write();
  }
  return disks;
}

function baseConfig(sim: Sim, plan: ClonePlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(plan.srcConfig)) {
    if (k === 'template' || k === 'lock' || /^unused\d+$/.test(k) || (DISK_KEY.test(k) && parseDisk(v) !== undefined)) continue;
    // clone_vm copies no snapshot bookkeeping
    if (SNAPSHOT_KEYS.has(k)) continue;
    if (/^net\d+$/.test(k)) {
      const dev = parseNet(v);
      out[k] = typeof dev === 'string' ? v : printNet({ ...dev, macaddr: undefined }, sim.rng);
    } else out[k] = v;
  }
  out.smbios1 = `uuid=${randomUUID()}`;
  if (out.vmgenid !== undefined) out.vmgenid = randomUUID();
  out.name = plan.name ?? `Copy-of-VM-${plan.src.config.name ?? plan.src.vmid}`;
  if (plan.description !== undefined) out.description = plan.description;
  return out;
}

async function runClone(sim: Sim, t: TaskContext, plan: ClonePlan): Promise<void> {
  // fork + config load before the worker writes <newid>.conf: the window in which a second
  // clone to the same id passes the sync "already exists" check
  await t.sleep(500);
  // both clone locks wait only 1 s; their timeouts surface unprefixed
  const releaseSrc = await lockVm(sim, plan.src.vmid, 1000, plan.src.power === 'stopped');
  let releaseNew: (() => void) | undefined;
  try {
    releaseNew = await lockVm(sim, plan.newid, 1000);
    if (sim.state.vms.has(plan.newid)) throw new Error(`unable to create VM ${plan.newid}: config file already exists`);
    checkLock(plan.src);
    const base = baseConfig(sim, plan);
    const vm = sim.state.newVm(plan.newid, plan.src.node, { lock: 'clone' }, plan.src.defaultUser);
    let disks: Record<string, string> = {};
    try {
      await t.sleep(300);
      if (sim.faults.staleCloneLocks > 0 && sim.faults.staleCloneLockAt === 'placeholder') {
        sim.faults.staleCloneLocks--;
        throw new TaskKilled('worker killed');
      }
      disks = await copyDisks(sim, t, plan, vm, base);
    } catch (err) {
      if (err instanceof TaskKilled) throw err;
      sim.state.vms.delete(plan.newid);
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`clone failed: ${msg}`, { cause: err });
    }
    if (!plan.snapname && Object.keys(plan.src.pending).length > 0)
      t.warn(`found pending changes for '${Object.keys(plan.src.pending).join(',')}', discarding for clone`);
    vm.config = { ...base, ...disks };
    if (plan.target !== plan.src.node) vm.node = plan.target;
    if (plan.pool) sim.state.setPool(plan.newid, plan.pool);
  } finally {
    releaseNew?.();
    releaseSrc();
  }
}

/** POST /nodes/{node}/qemu/{vmid}/clone → UPID (qmclone, id = source vmid). */
export const cloneRoute: Route<Sim> = {
  method: 'POST',
  path: '/nodes/{node}/qemu/{vmid}/clone',
  schema: {
    node: P.node,
    vmid: P.vmid,
    newid: P.vmid,
    name: { type: 'string', optional: true, format: checkDnsName },
    description: P.optString,
    pool: { type: 'string', optional: true, pattern: /[A-Za-z][-_A-Za-z0-9/]*/ },
    snapname: { type: 'string', optional: true, maxLength: 40, format: checkConfigId },
    full: P.bool,
    storage: { type: 'string', optional: true, pattern: /[a-z][a-z0-9\-_.]*[a-z0-9]/i },
    format: { type: 'string', optional: true, enum: ['raw', 'qcow2', 'vmdk'] },
    target: { ...P.node, optional: true },
    bwlimit: { type: 'integer', optional: true, minimum: 0 },
  },
  handler: (ctx) => {
    const { sim } = ctx;
    const plan = syncChecks(sim, ctx);
    return sim.tasks.start(plan.src.node, 'qmclone', String(plan.src.vmid), ownerOf(ctx.auth), (t) => runClone(sim, t, plan));
  },
};
