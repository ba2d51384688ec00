import { randomUUID } from 'node:crypto';
import { die, paramError, PveError } from '../server/pve-error';
import { P } from '../server/params';
import type { AuthInfo, Route, RouteContext } from '../server/router';
import type { Sim } from '../sim-context';
import { beforeWorker, canAccess, ownerOf, requirePriv } from '../sim-context';
import type { BackupVolume } from '../state/backup-store';
import { configDisks, DISK_KEY, parseDisk, printDisk } from '../state/disks';
import { formatSize, parsePropertyString } from '../state/formats';
import { parseNet, printNet } from '../state/net';
import type { SimVm, StorageSpec } from '../state/types';
import type { TaskContext } from '../tasks/task-manager';
import { boot } from './qemu-power';
import { lockVm } from './vm-helpers';

/** What `archive` names, as create_vm's parse_restore_archive tells them apart. */
interface RestoreArchive {
  volid: string;
  storage: StorageSpec;
  /** Directory archives are found before the worker starts; a PBS snapshot only inside it. */
  volume?: BackupVolume;
}

interface RestorePlan {
  node: string;
  vmid: number;
  archive: RestoreArchive;
  storage?: string;
  force: boolean;
  unique: boolean;
  start: boolean;
  pool?: string;
  /** `unable to restore VM <vmid> -`, the prefix create_vm puts before every error. */
  emsg: string;
  /** The restore worker's own check on each target storage (Datastore.AllocateSpace, root@pam passes). */
  mayAllocate: (storage: string) => boolean;
}

/** The guest a backup volume belongs to, from its name (pve-storage's parse_volname). */
function backupOwner(volid: string): number | undefined {
  const m = /:backup\/(?:vzdump-(?:qemu|lxc|openvz)-(\d+)-|(?:vm|ct)\/(\d+)\/)/.exec(volid);
  const id = m?.[1] ?? m?.[2];
  return id === undefined ? undefined : Number(id);
}

/** PVE::Storage::check_volume_access for the archive (root@pam passes; else storage and guest rights). */
function checkArchiveAccess(sim: Sim, auth: AuthInfo, volid: string, storage: StorageSpec): void {
  if (auth.user === 'root@pam' && !auth.tokenid) return;
  if (canAccess(sim, auth, `/storage/${storage.id}`, 'Datastore.Allocate')) return;
  const owner = backupOwner(volid);
  if (owner === undefined) throw new PveError(403, 'Permission check failed');
  requirePriv(sim, auth, `/storage/${storage.id}`, 'Datastore.AllocateSpace');
  requirePriv(sim, auth, `/vms/${owner}`, 'VM.Backup');
}

/** parse_restore_archive: a PBS volid is taken as it is; anything else must be a file the node sees. */
function parseArchive(sim: Sim, auth: AuthInfo, raw: string, node: string): RestoreArchive {
  const i = raw.indexOf(':');
  if (i < 0) throw die(`can't find file '${raw}'`);
  const storage = sim.state.storage(raw.slice(0, i));
  if (!storage) throw die(`storage '${raw.slice(0, i)}' does not exist`);
  checkArchiveAccess(sim, auth, raw, storage);
  if (storage.type === 'pbs') return { volid: raw, storage };
  // abs_filesystem_path activates the storage on this node before it looks for the file
  if (storage.nodes && !storage.nodes.includes(node)) throw die(`storage '${storage.id}' is not available on node '${node}'`);
  const volume = sim.state.backups.find(storage, node, raw);
  if (!volume) throw die(`can't find file '${raw}'`);
  return { volid: raw, storage, volume };
}

/** create_vm's permission gate: VM.Allocate on the vmid or the pool, or VM.Backup to overwrite an existing VM. */
function checkCreatePermission(sim: Sim, auth: AuthInfo, plan: Pick<RestorePlan, 'vmid' | 'node' | 'pool' | 'force'>): void {
  if (canAccess(sim, auth, `/vms/${plan.vmid}`, 'VM.Allocate')) return;
  if (plan.pool !== undefined && canAccess(sim, auth, `/pool/${plan.pool}`, 'VM.Allocate')) return;
  const existing = sim.state.vms.get(plan.vmid);
  if (plan.force && existing?.node === plan.node && canAccess(sim, auth, `/vms/${plan.vmid}`, 'VM.Backup')) return;
  throw new PveError(403, 'Permission check failed');
}

/**
 * create_and_lock_config: refuses a vmid in use (unless `force` and it is this node's), refuses a
 * locked VM, and writes `lock: create`, before the worker starts.
 */
function createAndLock(sim: Sim, plan: RestorePlan, defaultUser: string): SimVm {
  const existing = sim.state.vms.get(plan.vmid);
  if (existing && (!plan.force || existing.node !== plan.node)) {
    throw die(`${plan.emsg} VM ${plan.vmid} already exists on node '${existing.node}'`);
  }
  if (existing) {
    if (existing.config.lock) throw die(`${plan.emsg} VM is locked (${existing.config.lock})`);
    existing.config.lock = 'create';
    return existing;
  }
  return sim.state.newVm(plan.vmid, plan.node, { lock: 'create' }, defaultUser);
}

/** restore_update_config_line: new MACs with `unique`, a new vmgenid always, a new SMBIOS uuid with `unique`. */
function restoredOption(sim: Sim, key: string, value: string, unique: boolean): string {
  if (unique && /^net\d+$/.test(key)) {
    const dev = parseNet(value);
    return typeof dev === 'string' || dev.macaddr === undefined ? value : printNet({ ...dev, macaddr: undefined }, sim.rng);
  }
  if (key === 'vmgenid' && value !== '0') return randomUUID();
  if (unique && key === 'smbios1') {
    const kv = parsePropertyString(value) ?? [];
    const rest = kv.filter(([k]) => k !== 'uuid').map(([k, v]) => `${k}=${v}`);
    return [`uuid=${randomUUID()}`, ...rest].join(',');
  }
  return value;
}

/** The name vdisk_alloc gives the n-th restored disk: file storages keep `<vmid>/vm-<vmid>-disk-<n>.raw` files. */
function restoredVolume(storage: StorageSpec, vmid: number, n: number): string {
  return storage.type === 'dir' || storage.type === 'nfs' ? `${vmid}/vm-${vmid}-disk-${n}.raw` : `vm-${vmid}-disk-${n}`;
}

/** The target of one archived disk: `storage` when given, else the disk's own storage, as the node sees it. */
function targetStorage(sim: Sim, plan: RestorePlan, original: string): StorageSpec {
  const id = plan.storage ?? original;
  const s = sim.state.storage(id);
  if (!s) throw new Error(`storage '${id}' does not exist`);
  if (s.nodes && !s.nodes.includes(plan.node)) throw new Error(`storage '${id}' is not available on node '${plan.node}'`);
  if (!s.content.split(',').includes('images')) throw new Error(`storage '${id}' does not support vm images`);
  return s;
}

/** The archive inside the worker: PBS snapshots are looked up here, directory files again (they may be gone). */
function openArchive(sim: Sim, t: TaskContext, plan: RestorePlan): BackupVolume {
  const { storage, volid } = plan.archive;
  if (storage.nodes && !storage.nodes.includes(plan.node))
    throw new Error(`storage '${storage.id}' is not available on node '${plan.node}'`);
  const vol = sim.state.backups.find(storage, plan.node, volid);
  if (vol) return vol;
  if (storage.type !== 'pbs') throw new Error(`can't find file '${volid}'`);
  const snapshot = volid.slice(volid.indexOf(':backup/') + 8);
  t.log(`Error: unable to read snapshot '${snapshot}' - no such backup`);
  throw new Error(
    `command '/usr/bin/proxmox-backup-client restore ${snapshot} qemu-server.conf - --repository betang@pbs@pbs.betang-sim:backup' failed: exit code 255`,
  );
}

/** Removes the volumes of a VM that is restored over (destroy_vm keeping an empty locked config). */
async function destroyOldData(sim: Sim, t: TaskContext, vm: SimVm): Promise<void> {
  const disks = configDisks(vm.config);
  if (disks.length === 0) return;
  for (const [, d] of disks) t.log(`Removing image ${d.storage}:${d.volume}: 100% complete...done.`);
  if (sim.qemu) await sim.qemu.destroy(vm.vmid);
  else await t.sleep(600);
  sim.guest.forget(vm.vmid);
  vm.config = { lock: 'create' };
  vm.pending = {};
  vm.pendingDelete = [];
  vm.snapshots = {};
}

/**
 * parse_backup_hints: every target storage (each archived disk's, or `storage`) wants
 * Datastore.AllocateSpace — checked while reading the archive's header, before the old disks go.
 */
function checkTargetStorages(plan: RestorePlan, backup: BackupVolume): void {
  for (const [, d] of configDisks(backup.config)) {
    if (d.isCdrom && !d.isCloudinit) continue;
    const id = plan.storage ?? d.storage;
    if (!plan.mayAllocate(id)) throw new Error(`Permission check failed (/storage/${id}, Datastore.AllocateSpace)`);
  }
}

/** Writes every archived disk to a new volume; returns the config lines that name the new volumes. */
async function restoreDisks(sim: Sim, t: TaskContext, plan: RestorePlan, backup: BackupVolume): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const sorted = configDisks(backup.config).sort(([a], [b]) => a.localeCompare(b));
  const used = new Map<string, number>();
  let n = 0;
  for (const [key, d] of sorted) {
    if (d.isCloudinit) {
      // cloud-init drives are not in the archive: the restore creates an empty one on the target
      const s = targetStorage(sim, plan, d.storage);
      out[key] = printDisk({ ...d, storage: s.id, volume: `vm-${plan.vmid}-cloudinit` });
      continue;
    }
    if (d.isCdrom) continue;
    const s = targetStorage(sim, plan, d.storage);
    const free = s.totalGiB * 1024 ** 3 - sim.state.storageUsed(s.id, plan.node) - (used.get(s.id) ?? 0);
    if (free < d.sizeBytes) {
      throw new Error(
        `unable to allocate image on storage '${s.id}': not enough free space (${formatSize(Math.max(free, 0))} free, ${formatSize(d.sizeBytes)} required)`,
      );
    }
    used.set(s.id, (used.get(s.id) ?? 0) + d.sizeBytes);
    const volume = restoredVolume(s, plan.vmid, n++);
    t.log(`new volume ID is '${s.id}:${volume}'`);
    const gib = d.sizeBytes / 1024 ** 3;
    for (const pct of [25, 50, 75, 100]) {
      await t.sleep(gib * 600);
      t.log(`progress ${pct}% (read ${Math.round((d.sizeBytes * pct) / 100)} bytes, duration ${Math.round(gib * pct * 0.006)} sec)`);
    }
    out[key] = printDisk({ ...d, storage: s.id, volume });
  }
  return out;
}

/** The restore worker: runs under the VM's config flock, leaves the VM unlocked whatever happens. */
async function runRestore(sim: Sim, t: TaskContext, plan: RestorePlan, vm: SimVm): Promise<void> {
  try {
    await t.sleep(300);
    const release = await lockVm(sim, plan.vmid, 1000);
    try {
      if (vm.config.protection === '1') throw new Error(`${plan.emsg} protection mode enabled`);
      if (vm.power !== 'stopped') throw new Error(`${plan.emsg} vm is running`);
      const backup = openArchive(sim, t, plan);
      if (plan.archive.storage.type === 'pbs') {
        t.log(`restore proxmox backup image: ${plan.archive.volid.slice(plan.archive.volid.indexOf(':backup/') + 8)}`);
      } else {
        t.log(`restore vma archive: vma extract -v -r /var/tmp/vzdumptmp${t.task.pid}.fifo - /var/tmp/vzdumptmp${t.task.pid}`);
        t.log(`CFG: size: ${JSON.stringify(backup.config).length} name: qemu-server.conf`);
      }
      checkTargetStorages(plan, backup);
      await destroyOldData(sim, t, vm);
      const disks = await restoreDisks(sim, t, plan, backup);
      if (sim.qemu) sim.qemu.restoreDisk(plan.vmid, plan.archive.volid);
      t.log('rescan volumes...');
      const config: Record<string, string> = {};
      for (const [k, v] of Object.entries(backup.config)) {
        // volumes are replaced by the restored ones; an ISO in a cdrom drive stays as it was
        const d = DISK_KEY.test(k) ? parseDisk(v) : undefined;
        if (k === 'lock' || (d && (!d.isCdrom || d.isCloudinit))) continue;
        config[k] = restoredOption(sim, k, v, plan.unique);
      }
      // a restored config ends the create lock: the archive's config carries none
      vm.config = { ...config, ...disks };
      vm.defaultUser = backup.defaultUser ?? vm.defaultUser;
      if (plan.pool) sim.state.setPool(plan.vmid, plan.pool);
    } finally {
      release();
    }
  } catch (err) {
    // create_vm's worker: remove_lock($vmid, 'create'), keeping what config there is
    if (sim.state.vms.get(plan.vmid) === vm && vm.config.lock === 'create') delete vm.config.lock;
    throw err;
  }
  if (plan.start) {
    t.log('Execute autostart');
    try {
      await boot(sim, vm, t);
    } catch (e) {
      t.warn(e instanceof Error ? e.message : String(e));
    }
  }
}

function planOf(ctx: RouteContext<Sim>, node: string, archive: RestoreArchive): RestorePlan {
  const p = ctx.params;
  const { sim, auth } = ctx;
  const vmid = Number(p.vmid);
  return {
    node,
    vmid,
    archive,
    storage: p.storage === undefined ? undefined : String(p.storage),
    force: p.force === 1,
    unique: p.unique === 1,
    start: p.start === 1,
    pool: p.pool === undefined ? undefined : String(p.pool),
    emsg: `unable to restore VM ${vmid} -`,
    mayAllocate: (storage) =>
      (auth.user === 'root@pam' && !auth.tokenid) || canAccess(sim, auth, `/storage/${storage}`, 'Datastore.AllocateSpace'),
  };
}

/**
 * POST /nodes/{node}/qemu with `archive` → UPID (qmrestore, id = vmid): create_vm's restore path.
 * Creating a VM from scratch is not simulated (Betang clones templates).
 */
export const restoreRoute: Route<Sim> = {
  method: 'POST',
  path: '/nodes/{node}/qemu',
  schema: {
    node: P.node,
    vmid: P.vmid,
    archive: { type: 'string', optional: true, maxLength: 255 },
    storage: { type: 'string', optional: true, pattern: /[a-z][a-z0-9\-_.]*[a-z0-9]/i },
    force: P.bool,
    unique: P.bool,
    pool: { type: 'string', optional: true, pattern: /[A-Za-z][-_A-Za-z0-9/]*/ },
    bwlimit: { type: 'integer', optional: true, minimum: 0 },
    start: P.bool,
    'live-restore': P.bool,
  },
  handler: (ctx) => {
    const { sim, params, auth } = ctx;
    if (params.archive === undefined) {
      if (params.force !== undefined) throw paramError({ force: "missing property - 'archive' is required by this property" });
      if (params.unique !== undefined) throw paramError({ unique: "missing property - 'archive' is required by this property" });
      throw new PveError(501, 'creating a VM without an archive is not simulated');
    }
    if (params['live-restore'] === 1) throw new PveError(501, 'live-restore is not simulated');
    const node = sim.state.node(String(params.node)).name;
    const pool = params.pool === undefined ? undefined : String(params.pool);
    if (pool !== undefined && !sim.state.pools.has(pool))
      throw new PveError(403, `Permission check failed (pool '${pool}' does not exist)`);
    if (params.storage !== undefined) requirePriv(sim, auth, `/storage/${String(params.storage)}`, 'Datastore.AllocateSpace');
    checkCreatePermission(sim, auth, { vmid: Number(params.vmid), node, pool, force: params.force === 1 });
    if (String(params.archive) === '-') throw die('pipe requires cli environment');
    const plan = planOf(ctx, node, parseArchive(sim, auth, String(params.archive), node));
    beforeWorker(sim);
    const vm = createAndLock(sim, plan, plan.archive.volume?.defaultUser ?? 'debian');
    return sim.tasks.start(plan.node, 'qmrestore', String(plan.vmid), ownerOf(auth), (t) => runRestore(sim, t, plan, vm));
  },
};
