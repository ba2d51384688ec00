import { z } from 'zod';
import type { PveTransport } from '../client/pve-transport';
import type { CallOptions } from '../client/request-engine';
import type { PveParamValue } from '../client/encode-params';
import { PveTaskFailedError } from '../tasks/pve-task-errors';
import { readTaskLog } from '../tasks/task-log';
import { waitForTask } from '../tasks/wait-for-task';
import { isUpid } from '../tasks/upid';
import { pathSegment } from '../util/path-segment';
import { runTask } from '../vm/task-call';
import type { TaskOptions } from '../vm/task-call';
import { ZPveInt } from '../wire/coerce.schema';
import { restoreParams } from './restore-start';

/** PVE's retention options (`prune-backups`), as Betang's backup policy states them. */
export type KeepOptions = {
  keepLast?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
};

/** One backup archive as `GET .../storage/{storage}/content?content=backup` lists it. */
export const ZBackupVolume = z.object({
  volid: z.string(),
  vmid: ZPveInt.optional(),
  ctime: ZPveInt,
  size: ZPveInt,
  format: z.string(),
  notes: z.string().optional(),
  subtype: z.string().optional(),
  protected: z.union([z.boolean(), ZPveInt]).optional(),
});
export type BackupVolume = z.infer<typeof ZBackupVolume>;

const ZBackupList = z.array(ZBackupVolume);

const ZVzdumpStatus = z
  .object({ status: z.string(), exitstatus: z.string().optional(), starttime: ZPveInt, endtime: ZPveInt.optional() })
  .passthrough();

const ZPruneMark = z.object({
  volid: z.string(),
  ctime: ZPveInt,
  mark: z.enum(['keep', 'remove', 'protected', 'renamed']),
  vmid: ZPveInt.optional(),
  type: z.string(),
});
export type PruneMark = z.infer<typeof ZPruneMark>;

/** What one `vzdump` of one VM asks for. */
export type VzdumpParams = {
  vmid: number;
  storage: string;
  mode?: 'snapshot' | 'suspend' | 'stop';
  compress?: '0' | 'gzip' | 'lzo' | 'zstd';
  /** PVE's notes template: `{{guestname}}`, `{{vmid}}`, `{{node}}`, `{{cluster}}`. */
  notesTemplate?: string;
  /** Marks the archive protected: PVE's pruning and removal leave it alone until the flag is cleared. */
  protected?: boolean;
};

/** What one `qmrestore` asks for (`POST /nodes/{node}/qemu` with `archive`). */
export type RestoreParams = {
  vmid: number;
  /** The backup volume, e.g. `pbs:backup/vm/101/2026-12-07T01:00:00Z`. */
  archive: string;
  /** Where the disks go; default: each disk's own storage. */
  storage?: string;
  /** Overwrite the existing (stopped) VM of that vmid. */
  force?: boolean;
  /** New MAC addresses (and SMBIOS uuid), so the copy does not clash with the original. */
  unique?: boolean;
  /** The pool a new VM joins (VM.Allocate there is enough to create it). */
  pool?: string;
};

/** What a finished backup left: the task and the archive it wrote. */
export type VzdumpResult = { upid: string; volid: string; size: number; ctime: number; durationSec: number };

/** vzdump answered `OK` without a task: PVE does that when the guest is on another node. */
export class VzdumpNotOnNodeError extends Error {
  override readonly name = 'VzdumpNotOnNodeError';
  constructor(
    readonly node: string,
    readonly vmid: number,
  ) {
    super(`VM ${vmid} is not on node ${node}: vzdump started nothing`);
  }
}

/** `prune-backups` text in PVE's syntax; empty options mean keep everything. */
export function formatKeepOptions(keep: KeepOptions): string {
  const parts: string[] = [];
  if (keep.keepLast) parts.push(`keep-last=${keep.keepLast}`);
  if (keep.keepDaily) parts.push(`keep-daily=${keep.keepDaily}`);
  if (keep.keepWeekly) parts.push(`keep-weekly=${keep.keepWeekly}`);
  if (keep.keepMonthly) parts.push(`keep-monthly=${keep.keepMonthly}`);
  if (keep.keepYearly) parts.push(`keep-yearly=${keep.keepYearly}`);
  return parts.length === 0 ? 'keep-all=1' : parts.join(',');
}

/** PVE's line when a stopped or paused guest runs again during or after its backup. */
const ONLINE_AGAIN = /^INFO: (?:resuming VM again|guest is online again) after (\d+|<1) seconds$/;

/** The guest's own error lines of a failed vzdump (`ERROR: Backup of VM 101 failed - VM is locked (snapshot)`). */
const GUEST_ERROR = /^ERROR: Backup of VM \d+ failed - (.*)$/;

/** Backups on one cluster: vzdump, the backup storage's content, removal and pruning. */
export type BackupClient = {
  /**
   * `POST /nodes/{node}/vzdump` for one VM, waits for the task and returns the archive it wrote
   * (found in the storage's content: the VM's newest backup not older than the task). Not safe to
   * repeat blindly: a second call makes a second backup. A failed guest throws PveTaskFailedError
   * whose exitstatus is the guest's own error (PVE's task only says `job errors`).
   */
  vzdump(node: string, params: VzdumpParams, task: TaskOptions): Promise<VzdumpResult>;
  /** Starts the vzdump without waiting; returns its UPID. Not safe to repeat blindly (a second backup). */
  start(node: string, params: VzdumpParams, opts?: CallOptions): Promise<string>;
  /**
   * How a started vzdump ended: undefined while it runs, the archive when it ended OK, or the
   * guest's own error thrown as PveTaskFailedError. Read-only; safe to repeat.
   */
  outcome(node: string, upid: string, vmid: number, storage: string, opts?: CallOptions): Promise<VzdumpResult | undefined>;
  /**
   * How long the guest was off or paused for a finished vzdump in `stop` or `suspend` mode, in
   * seconds, from its task log ("resuming VM again after N seconds", "guest is online again after
   * N seconds"; `<1` is 0); null when the guest was never stopped (snapshot mode, or it was off).
   * Read-only; safe to repeat.
   */
  downtime(node: string, upid: string, opts?: CallOptions): Promise<number | null>;
  /** The VM's (or every) backup on `storage` as `node` sees it, oldest first. Read-only. */
  list(node: string, storage: string, vmid?: number, opts?: CallOptions): Promise<BackupVolume[]>;
  /** `DELETE .../content/{volid}` (an `imgdel` task, awaited). A volume already gone is PVE's error. */
  remove(node: string, storage: string, volid: string, task: TaskOptions): Promise<void>;
  /** What a retention would keep and remove (`GET .../prunebackups`). Read-only. */
  previewPrune(node: string, storage: string, vmid: number, keep: KeepOptions, opts?: CallOptions): Promise<PruneMark[]>;
  /** Prunes the VM's backups by the retention (`DELETE .../prunebackups`): the same marks every time, so safe to repeat. */
  prune(node: string, storage: string, vmid: number, keep: KeepOptions, task: TaskOptions): Promise<void>;
  /**
   * Restores a backup (`POST /nodes/{node}/qemu` with `archive`, a `qmrestore` task, awaited).
   * Not safe to repeat blindly: with `force` a second restore throws away what happened since
   * the first. The caller looks for an earlier `qmrestore` of the vmid first (VmClient.tasksSince).
   */
  restore(node: string, params: RestoreParams, task: TaskOptions): Promise<void>;
};

/** A backup client on one transport. */
export function backupClient(pve: PveTransport): BackupClient {
  const storagePath = (node: string, storage: string): string => `/nodes/${pathSegment(node)}/storage/${pathSegment(storage)}`;
  const list: BackupClient['list'] = async (node, storage, vmid, opts) => {
    const params: Record<string, PveParamValue> = { content: 'backup' };
    if (vmid !== undefined) params.vmid = vmid;
    const raw = ZBackupList.parse(await pve.request('GET', `${storagePath(node, storage)}/content`, params, opts));
    return raw.filter((v) => vmid === undefined || v.vmid === vmid).sort((a, b) => a.ctime - b.ctime);
  };
  const taskPath = (node: string, upid: string): string => `/nodes/${pathSegment(node)}/tasks/${pathSegment(upid)}`;
  /** PVE's task only says `job errors`; the guest's own line says why. */
  const guestError = async (node: string, upid: string, err: unknown): Promise<unknown> => {
    if (!(err instanceof PveTaskFailedError) || err.exitstatus !== 'job errors') return err;
    const { lines } = await readTaskLog(pve, node, upid, 0, 500);
    const own = lines.map((l) => GUEST_ERROR.exec(l.t)?.[1]).find((m) => m !== undefined);
    return own ? new PveTaskFailedError({ upid, node, taskType: 'vzdump', exitstatus: own, logTail: lines.slice(-20) }) : err;
  };
  const start: BackupClient['start'] = async (node, p, opts) => {
    const params: Record<string, PveParamValue> = { vmid: String(p.vmid), storage: p.storage, mode: p.mode ?? 'snapshot', remove: 0 };
    if (p.compress) params.compress = p.compress;
    if (p.notesTemplate) params['notes-template'] = p.notesTemplate;
    if (p.protected) params.protected = 1;
    const answer = await pve.request('POST', `/nodes/${pathSegment(node)}/vzdump`, params, opts);
    if (answer === 'OK') throw new VzdumpNotOnNodeError(node, p.vmid);
    return z.string().refine(isUpid, 'not a UPID').parse(answer);
  };
  const outcome: BackupClient['outcome'] = async (node, upid, vmid, storage, opts) => {
    const st = ZVzdumpStatus.parse(await pve.request('GET', `${taskPath(node, upid)}/status`, undefined, opts));
    if (st.status === 'running') return undefined;
    const exit = st.exitstatus ?? 'unknown';
    if (exit !== 'OK' && !exit.startsWith('WARNINGS')) {
      throw await guestError(node, upid, new PveTaskFailedError({ upid, node, taskType: 'vzdump', exitstatus: exit, logTail: [] }));
    }
    const mine = (await list(node, storage, vmid, opts)).filter((v) => v.ctime >= st.starttime);
    const newest = mine[mine.length - 1];
    if (!newest) throw new Error(`vzdump ${upid} ended OK but no backup of VM ${vmid} newer than its start is on ${storage}`);
    return {
      upid,
      volid: newest.volid,
      size: newest.size,
      ctime: newest.ctime,
      durationSec: Math.max(0, (st.endtime ?? st.starttime) - st.starttime),
    };
  };
  const downtime: BackupClient['downtime'] = async (node, upid) => {
    const { lines } = await readTaskLog(pve, node, upid, 0, 1000);
    for (const { t } of lines) {
      const m = ONLINE_AGAIN.exec(t);
      if (m) return m[1] === '<1' ? 0 : Number(m[1]);
    }
    return null;
  };
  return {
    downtime,
    vzdump: async (node, p, task) => {
      const upid = await start(node, p, task.signal ? { signal: task.signal } : undefined);
      try {
        await waitForTask(pve, upid, { deadlineMs: task.deadlineMs, ...(task.signal ? { signal: task.signal } : {}) });
      } catch (err) {
        throw await guestError(node, upid, err);
      }
      const done = await outcome(node, upid, p.vmid, p.storage);
      if (!done) throw new Error(`vzdump ${upid} still running after its wait ended`);
      return done;
    },
    start,
    outcome,
    list,
    remove: async (node, storage, volid, task) => {
      await runTask(pve, 'DELETE', `${storagePath(node, storage)}/content/${pathSegment(volid)}`, undefined, task);
    },
    previewPrune: async (node, storage, vmid, keep, opts) =>
      z
        .array(ZPruneMark)
        .parse(
          await pve.request(
            'GET',
            `${storagePath(node, storage)}/prunebackups`,
            { vmid, type: 'qemu', 'prune-backups': formatKeepOptions(keep) },
            opts,
          ),
        ),
    prune: async (node, storage, vmid, keep, task) => {
      await runTask(
        pve,
        'DELETE',
        `${storagePath(node, storage)}/prunebackups`,
        { vmid, type: 'qemu', 'prune-backups': formatKeepOptions(keep) },
        task,
      );
    },
    restore: async (node, p, task) => {
      await runTask(pve, 'POST', `/nodes/${pathSegment(node)}/qemu`, restoreParams(p), task);
    },
  };
}
