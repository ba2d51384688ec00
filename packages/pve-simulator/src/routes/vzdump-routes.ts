import { die, paramError } from '../server/pve-error';
import { P } from '../server/params';
import type { AuthInfo, Route, RouteContext } from '../server/router';
import type { Sim } from '../sim-context';
import { beforeWorker, canAccess, ownerOf, requirePriv } from '../sim-context';
import type { BackupVolume } from '../state/backup-store';
import { backupVolid } from '../state/backup-store';
import type { KeepOptions } from '../state/backup-prune';
import { markBackupGroup, parseKeepOptions, printKeepOptions } from '../state/backup-prune';
import { configDisks } from '../state/disks';
import { formatSize } from '../state/formats';
import type { SimVm, StorageSpec } from '../state/types';
import type { TaskContext } from '../tasks/task-manager';
import { boot, powerOff } from './qemu-power';
import { lockVm } from './vm-helpers';

/** The name the simulated cluster answers to in notes templates (`{{cluster}}`). */
const CLUSTER_NAME = 'betang-sim';

const VMID_LIST = /^\d+([,; ]+\d+)*$/;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `2026-12-07 01:00:00`, the way vzdump prints times (node-local, UTC on the simulated nodes). */
function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function duration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** The storage as `node` sees it, or PVE's errors. */
function storageOn(sim: Sim, id: string, node: string): StorageSpec {
  const s = sim.state.storage(id);
  if (!s) throw die(`storage '${id}' does not exist`);
  if (s.nodes && !s.nodes.includes(node)) throw die(`storage '${id}' is not available on node '${node}'`);
  return s;
}

/** Expands `{{guestname}}` & co.; `\n` and `\\` are the template's escapes (PVE's sanitize + expand). */
function expandNotes(template: string, vars: Record<string, string>): string {
  if (/\n/.test(template)) throw paramError({ 'notes-template': 'value must be a single line' });
  return template
    .replace(/\{\{(\w+)\}\}/g, (m, k: string) => vars[k] ?? m)
    .replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Removes what the retention does not keep among `vmid`'s backups on `storage`; returns the removed ones. */
function pruneGroup(sim: Sim, storage: StorageSpec, node: string, vmid: number, keep: KeepOptions): BackupVolume[] {
  const group = sim.state.backups.list(storage, node).filter((v) => v.vmid === vmid);
  const marks = markBackupGroup(group, keep);
  const removed: BackupVolume[] = [];
  for (const m of marks) {
    if (m.mark !== 'remove') continue;
    const v = group.find((g) => g.volid === m.volid);
    if (v && sim.state.backups.remove(v)) removed.push(v);
  }
  return removed;
}

interface VzdumpJob {
  node: string;
  /** Who started the job: vzdump checks VM.Backup per guest inside its worker (PVE::VZDump::exec_backup). */
  auth: AuthInfo;
  all: boolean;
  vmids: number[];
  storage: StorageSpec;
  mode: string;
  compress: string;
  notesTemplate?: string;
  keep: KeepOptions;
  remove: boolean;
  protect: boolean;
  cmdline: string;
}

/** The config vzdump writes into the archive: the current section without the backup's own lock. */
function archivedConfig(config: Record<string, string>): Record<string, string> {
  const out = { ...config };
  delete out.lock;
  return out;
}

/**
 * The guest's downtime in `stop` and `suspend` mode, as PVE::VZDump::exec_backup_task and
 * PVE::VZDump::QemuServer do it. `stop`: `qm shutdown` (a clean power-off, stopwait 10 minutes),
 * then, the guest having run before, QEMU started again for the backup and resumed as soon as the
 * backup job runs ("resuming VM again after N seconds"), so the copy runs with the guest up.
 * `suspend`: `qm suspend` (the guest paused, QEMU still there), resumed once the job runs. A
 * stopped guest is always backed up in `stop` mode and stays off. Whatever happens in between,
 * the guest is brought back (`restarting vm` / `resume vm`) before the task ends.
 */
class GuestDowntime {
  private stoppedAt: number | undefined;
  private shutDown = false;

  constructor(
    private readonly sim: Sim,
    private readonly t: TaskContext,
    private readonly vm: SimVm,
    private readonly mode: string,
  ) {}

  /** Stops or suspends a running guest before the archive is made. */
  async before(): Promise<void> {
    if (this.vm.power === 'stopped') return;
    if (this.mode === 'stop') {
      this.t.log('INFO: stopping virtual guest');
      this.stoppedAt = this.sim.clock.now();
      if (this.sim.qemu) {
        if (!(await this.sim.qemu.shutdown(this.vm.vmid, 600_000))) throw new Error('VM quit/powerdown failed - got timeout');
      } else await this.t.sleep(2000);
      powerOff(this.vm);
      this.shutDown = true;
    } else if (this.mode === 'suspend') {
      this.t.log('INFO: suspending guest');
      this.stoppedAt = this.sim.clock.now();
      this.vm.power = 'paused';
      // the config assembled and the QMP backup job set up while the guest is paused
      await this.t.sleep(800);
    }
  }

  /** Once the backup job runs: QEMU started again (stop mode) and the guest resumed. */
  async jobStarted(): Promise<void> {
    if (this.stoppedAt === undefined) return;
    if (this.shutDown) {
      this.t.log('INFO: starting kvm to execute backup task');
      await boot(this.sim, this.vm, this.t);
      this.shutDown = false;
    } else this.vm.power = 'running';
    this.t.log(`INFO: resuming VM again after ${this.seconds()} seconds`);
    this.stoppedAt = undefined;
  }

  /** After a failure: the guest is brought back as PVE's cleanup does. */
  async cleanup(): Promise<void> {
    if (this.stoppedAt === undefined) return;
    if (this.shutDown) {
      this.t.log('INFO: restarting vm');
      await boot(this.sim, this.vm, this.t);
    } else {
      this.t.log('INFO: resume vm');
      this.vm.power = 'running';
    }
    this.t.log(`INFO: guest is online again after ${this.seconds()} seconds`);
    this.stoppedAt = undefined;
  }

  private seconds(): string {
    const s = Math.round((this.sim.clock.now() - (this.stoppedAt ?? 0)) / 1000);
    return s < 1 ? '<1' : String(s);
  }
}

/** One guest's backup inside the vzdump worker; throws the per-guest error vzdump logs. */
async function backupOne(sim: Sim, t: TaskContext, job: VzdumpJob, vmid: number): Promise<void> {
  const vm = sim.state.vms.get(vmid);
  if (!vm || vm.node !== job.node) throw new Error(`unable to find VM '${vmid}'`);
  if (!job.storage.content.split(',').includes('backup')) {
    throw new Error(`can't use storage '${job.storage.id}' for backups - wrong content type`);
  }
  if (job.mode === 'stop' && sim.state.ha.get(vmid)?.state === 'started') {
    throw new Error(
      'Cannot execute a backup with stop mode on a HA managed and enabled Service. Use snapshot mode or disable the Service.',
    );
  }
  const release = await lockVm(sim, vmid);
  try {
    if (vm.config.lock) throw new Error(`VM is locked (${vm.config.lock})`);
    vm.config.lock = 'backup';
  } finally {
    release();
  }
  const started = sim.clock.now();
  const ctime = Math.floor(started / 1000);
  // PVE: a guest that is not running is backed up in stop mode, whatever was asked
  const mode = vm.power === 'stopped' ? 'stop' : job.mode;
  const downtime = new GuestDowntime(sim, t, vm, mode);
  try {
    t.log(`INFO: Backup started at ${stamp(started)}`);
    t.log(`INFO: status = ${vm.power}`);
    if (vm.config.name) t.log(`INFO: VM Name: ${vm.config.name}`);
    const disks = configDisks(vm.config).filter(([, d]) => !d.isCdrom && !d.isCloudinit);
    let bytes = 0;
    for (const [key, d] of disks) {
      t.log(`INFO: include disk '${key}' '${d.storage}:${d.volume}' ${formatSize(d.sizeBytes)}`);
      bytes += d.sizeBytes;
    }
    t.log(`INFO: backup mode: ${mode}`);
    t.log('INFO: ionice priority: 7');
    await downtime.before();
    const { volid, format } = backupVolid(job.storage, vmid, ctime, job.compress);
    if (sim.state.backups.find(job.storage, job.node, volid)) {
      throw new Error(`backup '${volid}' already exists`);
    }
    if (job.storage.type === 'pbs') t.log(`INFO: creating Proxmox Backup Server archive '${volid.slice(volid.indexOf(':backup/') + 8)}'`);
    else t.log(`INFO: creating vzdump archive '/var/lib/vz/dump/${volid.slice(volid.indexOf(':backup/') + 8)}'`);
    await downtime.jobStarted();
    const free = job.storage.totalGiB * 1024 ** 3 - sim.state.storageUsed(job.storage.id, job.node);
    // PBS reports the guest's logical size; a compressed file holds roughly the written blocks
    const size = job.storage.type === 'pbs' ? bytes : Math.round(bytes * (0.25 + 0.1 * sim.rng.next()));
    await t.sleep(3000 + (bytes / 1024 ** 3) * 400);
    if (free < size) throw new Error(`vma_queue_write: write error - No space left on device`);
    t.log(`INFO: 100% (${formatSize(bytes)} of ${formatSize(bytes)}) in ${Math.max(1, Math.round((sim.clock.now() - started) / 1000))}s`);
    if (job.storage.type !== 'pbs') t.log(`INFO: archive file size: ${formatSize(size)}`);
    const notes = job.notesTemplate
      ? expandNotes(job.notesTemplate, {
          cluster: CLUSTER_NAME,
          guestname: vm.config.name ?? `VM ${vmid}`,
          node: job.node,
          vmid: String(vmid),
        })
      : undefined;
    if (notes !== undefined) t.log('INFO: adding notes to backup');
    // a real guest's disk is really copied, so a restore boots what the guest had written
    if (sim.qemu) await sim.qemu.backupDisk(vmid, volid);
    sim.state.backups.add({
      volid,
      storage: job.storage.id,
      node: job.storage.shared ? undefined : job.node,
      vmid,
      ctime,
      size,
      format,
      notes,
      protected: job.protect,
      config: archivedConfig(vm.config),
      defaultUser: vm.defaultUser,
    });
    if (job.remove) {
      const keep = printKeepOptions(job.keep);
      if (!job.keep['keep-all'] && keep !== '') {
        t.log(`INFO: prune older backups with retention: ${keep.replace(/,/g, ', ')}`);
        const removed = pruneGroup(sim, job.storage, job.node, vmid, job.keep);
        for (const r of removed) t.log(`INFO: removing backup '${r.volid}'`);
        t.log(`INFO: pruned ${removed.length} backup(s) not covered by keep-retention policy`);
      }
    }
    t.log(`INFO: Finished Backup of VM ${vmid} (${duration((sim.clock.now() - started) / 1000)})`);
    t.log(`INFO: Backup finished at ${stamp(sim.clock.now())}`);
  } finally {
    await downtime.cleanup();
    const rel = await lockVm(sim, vmid);
    if (sim.state.vms.get(vmid) === vm && vm.config.lock === 'backup') delete vm.config.lock;
    rel();
  }
}

/** The vzdump worker: guests one after another; a guest's failure is logged and the job ends with `job errors`. */
async function runVzdump(sim: Sim, t: TaskContext, job: VzdumpJob): Promise<void> {
  t.log(`INFO: starting new backup job: ${job.cmdline}`);
  // a guest without VM.Backup fails the whole job before any backup, or is skipped with `all`
  const vmids = job.vmids.filter((vmid) => {
    if (!sim.state.vms.get(vmid)) return true;
    if (job.all) return canAccess(sim, job.auth, `/vms/${vmid}`, 'VM.Backup');
    requirePriv(sim, job.auth, `/vms/${vmid}`, 'VM.Backup');
    return true;
  });
  let failed = 0;
  for (const vmid of vmids) {
    const vm = sim.state.vms.get(vmid);
    t.log(`INFO: Starting Backup of VM ${vmid} (qemu)`);
    const started = sim.clock.now();
    try {
      await backupOne(sim, t, job, vmid);
    } catch (e) {
      if (e instanceof Error && e.message === 'interrupted by signal') throw e;
      failed++;
      t.log(`ERROR: Backup of VM ${vmid} failed - ${e instanceof Error ? e.message : String(e)}`);
      t.log(`INFO: Failed at ${stamp(sim.clock.now())}`);
      if (vm === undefined) continue;
      t.log(`INFO: Backup of VM ${vmid} took ${duration((sim.clock.now() - started) / 1000)}`);
    }
  }
  if (failed > 0) throw new Error('job errors');
  t.log('INFO: Backup job finished successfully');
}

/** The guest a backup volume belongs to, as pve-storage's parse_volname reads it from the name. */
function backupOwner(volid: string): number | undefined {
  const m = /:backup\/(?:vzdump-(?:qemu|lxc|openvz)-(\d+)-|(?:vm|ct)\/(\d+)\/)/.exec(volid);
  const id = m?.[1] ?? m?.[2];
  return id === undefined ? undefined : Number(id);
}

/**
 * check_volume_access for a backup volume: Datastore.Allocate on the storage sees everything,
 * else Datastore.AllocateSpace on it and VM.Backup on the guest (listings skip the rest).
 */
function mayUseBackup(sim: Sim, auth: AuthInfo, storageId: string, vmid: number): boolean {
  if (canAccess(sim, auth, `/storage/${storageId}`, 'Datastore.Allocate')) return true;
  return canAccess(sim, auth, `/storage/${storageId}`, 'Datastore.AllocateSpace') && canAccess(sim, auth, `/vms/${vmid}`, 'VM.Backup');
}

function volumeOf(ctx: RouteContext<Sim>): { storage: StorageSpec; node: string; volid: string } {
  const node = ctx.sim.state.node(String(ctx.params.node)).name;
  const storage = storageOn(ctx.sim, String(ctx.params.storage), node);
  const raw = String(ctx.params.volume);
  const volid = raw.includes(':') ? raw : `${storage.id}:${raw}`;
  if (!volid.startsWith(`${storage.id}:`)) throw die(`storage ID mismatch ('${volid.split(':')[0] ?? ''}' != '${storage.id}')`);
  return { storage, node, volid };
}

/** Backup routes: vzdump, backup storage content, removal and pruning. */
export const vzdumpRoutes: Array<Route<Sim>> = [
  {
    method: 'POST',
    path: '/nodes/{node}/vzdump',
    schema: {
      node: P.node,
      vmid: {
        type: 'string',
        optional: true,
        format: (v) => (VMID_LIST.test(v.trim()) ? undefined : 'value does not look like a valid VM ID list'),
      },
      all: P.bool,
      storage: P.optString,
      mode: { type: 'string', optional: true, enum: ['snapshot', 'suspend', 'stop'] },
      compress: { type: 'string', optional: true, enum: ['0', '1', 'gzip', 'lzo', 'zstd'] },
      'notes-template': { type: 'string', optional: true, maxLength: 1024 },
      remove: P.bool,
      'prune-backups': P.optString,
      protected: P.bool,
      quiet: P.bool,
      zstd: { type: 'integer', optional: true },
      bwlimit: { type: 'integer', optional: true, minimum: 0 },
      ionice: { type: 'integer', optional: true, minimum: 0, maximum: 8 },
      'job-id': P.optString,
      pool: P.optString,
      'notification-mode': { type: 'string', optional: true, enum: ['auto', 'legacy-sendmail', 'notification-system'] },
    },
    handler: (ctx) => {
      const { sim, params, auth } = ctx;
      const node = sim.state.node(String(params.node)).name;
      const isRoot = auth.user === 'root@pam' && !auth.tokenid;
      const storageId = params.storage === undefined ? 'local' : String(params.storage);
      // assert_param_permission_vzdump runs before the parameters are verified
      if (!isRoot) {
        if (params['job-id'] !== undefined) throw paramError({ 'job-id': 'Only root may set this option.' });
        if (params.bwlimit !== undefined || params.ionice !== undefined) requirePriv(sim, auth, '/', 'Sys.Modify');
        if (params['prune-backups'] !== undefined) requirePriv(sim, auth, `/storage/${storageId}`, 'Datastore.Allocate');
      }
      if (params.vmid === undefined && params.all !== 1 && params.pool === undefined) {
        throw paramError({ vmid: 'property is missing and it is not optional' });
      }
      const ids =
        params.vmid === undefined
          ? []
          : [
              ...new Set(
                String(params.vmid)
                  .split(/[,; ]+/)
                  .filter(Boolean)
                  .map(Number),
              ),
            ];
      const local = ids.filter((id) => {
        const vm = sim.state.vms.get(id);
        return !vm || vm.node === node;
      });
      // PVE answers 'OK' without a worker when every named guest runs on another node
      if (local.length === 0 && params.all !== 1) return 'OK';
      requirePriv(sim, auth, `/storage/${storageId}`, 'Datastore.AllocateSpace');
      const storage = storageOn(sim, storageId, node);
      let keep: KeepOptions = { 'keep-all': true };
      if (params['prune-backups'] !== undefined) keep = parseKeepOptions(String(params['prune-backups']));
      if (params['notes-template'] !== undefined && /\n/.test(String(params['notes-template']))) {
        throw paramError({ 'notes-template': 'value must be a single line' });
      }
      beforeWorker(sim);
      const args = Object.entries(params)
        .filter(([k]) => k !== 'vmid')
        .map(([k, v]) => ` --${k} ${/\s/.test(String(v)) ? `'${String(v)}'` : String(v)}`)
        .join('');
      const job: VzdumpJob = {
        node,
        auth,
        all: params.all === 1,
        vmids: params.all === 1 ? [...sim.state.vms.values()].filter((v) => v.node === node).map((v) => v.vmid) : local,
        storage,
        mode: String(params.mode ?? 'snapshot'),
        compress: String(params.compress ?? '0'),
        notesTemplate: params['notes-template'] === undefined ? undefined : String(params['notes-template']),
        keep,
        remove: params.remove !== 0,
        protect: params.protected === 1,
        cmdline: `vzdump ${local.join(' ')}${args}`,
      };
      const taskId = job.vmids.length === 1 ? String(job.vmids[0]) : '';
      return sim.tasks.start(node, 'vzdump', taskId, ownerOf(auth), (t) => runVzdump(sim, t, job));
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}/content',
    schema: { node: P.node, storage: P.optString, content: P.optString, vmid: { ...P.vmid, optional: true } },
    handler: ({ sim, params, auth }) => {
      const node = sim.state.node(String(params.node)).name;
      const storage = storageOn(sim, String(params.storage), node);
      if (params.content !== undefined && params.content !== 'backup') return [];
      return sim.state.backups
        .list(storage, node)
        .filter((v) => params.vmid === undefined || v.vmid === Number(params.vmid))
        .filter((v) => mayUseBackup(sim, auth, storage.id, v.vmid))
        .sort((a, b) => a.volid.localeCompare(b.volid))
        .map((v) => {
          const e: Record<string, unknown> = {
            volid: v.volid,
            content: 'backup',
            format: v.format,
            size: v.size,
            ctime: v.ctime,
            vmid: v.vmid,
            subtype: 'qemu',
          };
          if (v.notes !== undefined) e.notes = v.notes.split('\n')[0];
          if (v.protected) e.protected = 1;
          return e;
        });
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/storage/{storage}/content/{volume}',
    schema: {
      node: P.node,
      storage: P.optString,
      volume: { type: 'string' },
      delay: { type: 'integer', optional: true, minimum: 1, maximum: 30 },
    },
    handler: (ctx) => {
      const { sim, auth } = ctx;
      const { storage, node, volid } = volumeOf(ctx);
      // a backup volume wants VM.Backup on its guest even from a holder of Datastore.Allocate
      const owner = backupOwner(volid);
      if (owner !== undefined) {
        requirePriv(sim, auth, `/storage/${storage.id}`, 'Datastore.AllocateSpace');
        requirePriv(sim, auth, `/vms/${owner}`, 'VM.Backup');
      } else {
        requirePriv(sim, auth, `/storage/${storage.id}`, 'Datastore.Allocate');
      }
      const vol = sim.state.backups.find(storage, node, volid);
      if (!vol) throw die(`volume '${volid}' does not exist`);
      if (vol.protected) throw die(`volume '${volid}' is protected`);
      beforeWorker(sim);
      const taskId = `${owner === undefined ? '' : `${owner}@`}${storage.id}`;
      return sim.tasks.start(node, 'imgdel', taskId, ownerOf(auth), async (t) => {
        await t.sleep(500);
        sim.state.backups.remove(vol);
        t.log(`Removed volume '${volid}'`);
      });
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}/prunebackups',
    schema: {
      node: P.node,
      storage: P.optString,
      'prune-backups': P.optString,
      type: { type: 'string', optional: true, enum: ['qemu', 'lxc'] },
      vmid: { ...P.vmid, optional: true },
    },
    handler: ({ sim, params }) => {
      const node = sim.state.node(String(params.node)).name;
      const storage = storageOn(sim, String(params.storage), node);
      const keep = params['prune-backups'] === undefined ? { 'keep-all': true } : parseKeepOptions(String(params['prune-backups']));
      if (params.type === 'lxc') return [];
      const all = sim.state.backups.list(storage, node).filter((v) => params.vmid === undefined || v.vmid === Number(params.vmid));
      const vmids = [...new Set(all.map((v) => v.vmid))];
      return vmids.flatMap((id) =>
        markBackupGroup(
          all.filter((v) => v.vmid === id),
          keep,
        ).map((m) => ({ volid: m.volid, ctime: m.ctime, mark: m.mark, type: 'qemu', vmid: id })),
      );
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/storage/{storage}/prunebackups',
    schema: {
      node: P.node,
      storage: P.optString,
      'prune-backups': P.optString,
      type: { type: 'string', optional: true, enum: ['qemu', 'lxc'] },
      vmid: { ...P.vmid, optional: true },
    },
    handler: ({ sim, params, auth }) => {
      const node = sim.state.node(String(params.node)).name;
      const storage = storageOn(sim, String(params.storage), node);
      const keep = params['prune-backups'] === undefined ? { 'keep-all': true } : parseKeepOptions(String(params['prune-backups']));
      // with a vmid only the guest's own rights count: Datastore.Allocate alone does not do
      if (params.vmid !== undefined) {
        requirePriv(sim, auth, `/storage/${storage.id}`, 'Datastore.AllocateSpace');
        requirePriv(sim, auth, `/vms/${Number(params.vmid)}`, 'VM.Backup');
      } else {
        requirePriv(sim, auth, `/storage/${storage.id}`, 'Datastore.Allocate');
      }
      beforeWorker(sim);
      const taskId = `${params.vmid === undefined ? '' : `${Number(params.vmid)}@`}${storage.id}`;
      return sim.tasks.start(node, 'prunebackups', taskId, ownerOf(auth), async (t) => {
        if (params.type === 'lxc') return;
        const vmids = [...new Set(sim.state.backups.list(storage, node).map((v) => v.vmid))].filter(
          (id) => params.vmid === undefined || id === Number(params.vmid),
        );
        for (const id of vmids) {
          for (const r of pruneGroup(sim, storage, node, id, keep)) t.log(`removing backup '${r.volid}'`);
        }
        await t.sleep(200);
      });
    },
  },
];
