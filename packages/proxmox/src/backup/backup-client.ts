import { z } from 'zod';
import type { PveTransport } from '../client/pve-transport';
import type { CallOptions } from '../client/request-engine';
import type { PveParamValue } from '../client/encode-params';
import { PveTaskFailedError } from '../tasks/pve-task-errors';
import { readTaskLog } from '../tasks/task-log';
import { waitForTask } from '../tasks/wait-for-task';
import { pathSegment } from '../util/path-segment';
import { runTask } from '../vm/task-call';
import type { TaskOptions } from '../vm/task-call';
import { ZPveInt } from '../wire/coerce.schema';

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
  /** The VM's (or every) backup on `storage` as `node` sees it, oldest first. Read-only. */
  list(node: string, storage: string, vmid?: number, opts?: CallOptions): Promise<BackupVolume[]>;
  /** `DELETE .../content/{volid}` (an `imgdel` task, awaited). A volume already gone is PVE's error. */
  remove(node: string, storage: string, volid: string, task: TaskOptions): Promise<void>;
  /** What a retention would keep and remove (`GET .../prunebackups`). Read-only. */
  previewPrune(node: string, storage: string, vmid: number, keep: KeepOptions, opts?: CallOptions): Promise<PruneMark[]>;
  /** Prunes the VM's backups by the retention (`DELETE .../prunebackups`): the same marks every time, so safe to repeat. */
  prune(node: string, storage: string, vmid: number, keep: KeepOptions, task: TaskOptions): Promise<void>;
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
  return {
    vzdump: async (node, p, task) => {
      const params: Record<string, PveParamValue> = { vmid: String(p.vmid), storage: p.storage, mode: p.mode ?? 'snapshot', remove: 0 };
      if (p.compress) params.compress = p.compress;
      if (p.notesTemplate) params['notes-template'] = p.notesTemplate;
      const path = `/nodes/${pathSegment(node)}/vzdump`;
      const answer = await pve.request('POST', path, params, task.signal ? { signal: task.signal } : undefined);
      if (answer === 'OK') throw new VzdumpNotOnNodeError(node, p.vmid);
      const upid = z.string().parse(answer);
      try {
        await waitForTask(pve, upid, { deadlineMs: task.deadlineMs, ...(task.signal ? { signal: task.signal } : {}) });
      } catch (err) {
        if (err instanceof PveTaskFailedError && err.exitstatus === 'job errors') {
          const { lines } = await readTaskLog(pve, node, upid, 0, 500);
          const own = lines.map((l) => GUEST_ERROR.exec(l.t)?.[1]).find((m) => m !== undefined);
          if (own) throw new PveTaskFailedError({ upid, node, taskType: 'vzdump', exitstatus: own, logTail: lines.slice(-20) });
        }
        throw err;
      }
      const status = z.object({ starttime: ZPveInt, endtime: ZPveInt.optional() }).passthrough();
      const st = status.parse(await pve.request('GET', `/nodes/${pathSegment(node)}/tasks/${pathSegment(upid)}/status`));
      const mine = (await list(node, p.storage, p.vmid)).filter((v) => v.ctime >= st.starttime);
      const newest = mine[mine.length - 1];
      if (!newest) throw new Error(`vzdump ${upid} ended OK but no backup of VM ${p.vmid} newer than its start is on ${p.storage}`);
      return {
        upid,
        volid: newest.volid,
        size: newest.size,
        ctime: newest.ctime,
        durationSec: Math.max(0, (st.endtime ?? st.starttime) - st.starttime),
      };
    },
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
  };
}
