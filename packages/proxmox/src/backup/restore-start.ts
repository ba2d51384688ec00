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
 * The parameters of `POST /nodes/{node}/qemu` with `archive`, as PVE's create_vm takes them: flags
 * only when set, every restore (awaited or started) built the same way.
 */
export function restoreParams(p: {
  vmid: number;
  archive: string;
  storage?: string | undefined;
  pool?: string | undefined;
  force?: boolean | undefined;
  unique?: boolean | undefined;
}): Record<string, PveParamValue> {
  const params: Record<string, PveParamValue> = { vmid: p.vmid, archive: p.archive };
  if (p.storage) params.storage = p.storage;
  if (p.pool) params.pool = p.pool;
  if (p.force) params.force = 1;
  if (p.unique) params.unique = 1;
  return params;
}

/**
 * `POST /nodes/{node}/qemu` with `archive` (never `force`, never `start`): starts a `qmrestore`
 * task and returns its UPID without waiting. Not safe to repeat blindly: a second call for a vmid
 * that the first one created fails with PVE's `already exists`; the caller records the vmid first
 * and looks for the earlier task (VmClient.tasksSince) before calling again.
 */
export async function startRestore(pve: PveTransport, node: string, p: RestoreStart, opts?: CallOptions): Promise<string> {
  const params = { ...restoreParams(p), start: 0 };
  return z
    .string()
    .refine(isUpid, 'not a UPID')
    .parse(await pve.request('POST', `/nodes/${pathSegment(node)}/qemu`, params, opts));
}
