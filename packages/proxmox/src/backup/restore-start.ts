import { z } from 'zod';
import type { PveTransport } from '../client/pve-transport';
import type { PveParamValue } from '../client/encode-params';
import type { CallOptions } from '../client/request-engine';
import { isUpid } from '../tasks/upid';
import { pathSegment } from '../util/path-segment';

/** A restore started without waiting: a new VM `vmid` from `archive`, not started. */
export type RestoreStart = {
  vmid: number;
  archive: string;
  /** New MAC addresses and SMBIOS uuid, so the copy does not pass for the original. */
  unique: boolean;
  /** The pool the new VM joins (VM.Allocate there is enough to create it). */
  pool?: string;
  /** Where the disks go; default: each disk's own storage. */
  storage?: string;
};

/**
 * `POST /nodes/{node}/qemu` with `archive` (never `force`, never `start`): starts a `qmrestore`
 * task and returns its UPID without waiting. Not safe to repeat blindly: a second call for a vmid
 * that the first one created fails with PVE's `already exists`; the caller records the vmid first
 * and looks for the earlier task (VmClient.tasksSince) before calling again.
 */
export async function startRestore(pve: PveTransport, node: string, p: RestoreStart, opts?: CallOptions): Promise<string> {
  const params: Record<string, PveParamValue> = { vmid: p.vmid, archive: p.archive, unique: p.unique ? 1 : 0, start: 0 };
  if (p.pool) params.pool = p.pool;
  if (p.storage) params.storage = p.storage;
  return z
    .string()
    .refine(isUpid, 'not a UPID')
    .parse(await pve.request('POST', `/nodes/${pathSegment(node)}/qemu`, params, opts));
}
