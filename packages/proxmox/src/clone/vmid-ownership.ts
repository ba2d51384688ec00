import type { PveClient } from '../client/pve-client';
import type { CallOptions } from '../client/request-engine';
import { listClusterVms } from '../helpers/find-vms-by-tag';
import { abortableSleep } from '../util/abortable-sleep';
import { vmClient } from '../vm/vm-client';
import type { VmConfig } from '../wire/vm.schema';

/**
 * What a vmid holds from one owner's point of view:
 * `absent` (no VM), `ours` (config carries the owner marker), `foreign` (another owner),
 * `pending` (locked, e.g. a clone still writing its config: owner not knowable yet).
 */
export type VmidState = { state: 'absent' } | { state: 'pending' | 'ours' | 'foreign'; node: string; lock?: string; config?: VmConfig };

const MARKER_RE = /^[a-z0-9][a-z0-9_.:=+-]{2,119}$/i;

/** Checks an owner marker (written as its own line in the VM description). */
export function assertOwnerMarker(marker: string): void {
  if (!MARKER_RE.test(marker)) throw new TypeError('owner marker must be 3–120 chars of [a-z0-9_.:=+-]');
}

/** True when the description or tags carry the marker (exact line / exact tag). */
export function carriesMarker(description: string | undefined, tags: readonly string[], marker: string): boolean {
  const lines = (description ?? '').split(/\r?\n/).map((l) => l.trim());
  return lines.includes(marker) || tags.includes(marker.toLowerCase());
}

/**
 * Finds the VM with `vmid` anywhere in the cluster (node from /cluster/resources, then its
 * config on that node) and says whose it is; the config read is returned with the state.
 * With `nodeHint` (where the VM should be, e.g. the target of a clone that just finished) the
 * config is read there directly — one call instead of two — and the cluster list is consulted
 * only when the VM is not on that node. Read-only; safe to repeat.
 */
export async function inspectVmid(
  client: PveClient,
  vmid: number,
  marker: string,
  opts?: CallOptions,
  nodeHint?: string,
): Promise<VmidState> {
  let node = nodeHint;
  let config: VmConfig | undefined;
  if (node !== undefined) config = await vmClient(client, node, vmid).findConfig(opts);
  if (!config) {
    const entry = (await listClusterVms(client, opts)).find((vm) => vm.vmid === vmid);
    if (!entry) return { state: 'absent' };
    node = entry.node;
    config = await vmClient(client, node, vmid).findConfig(opts);
    if (!config) return { state: 'absent' };
  }
  const at = node as string;
  const lock = config.lock;
  if (carriesMarker(config.description, config.tags, marker)) return { state: 'ours', node: at, config, ...(lock ? { lock } : {}) };
  if (lock) return { state: 'pending', node: at, lock, config };
  return { state: 'foreign', node: at, config };
}

/**
 * Polls inspectVmid until the vmid is unlocked, foreign, or (after `absentGraceMs`) still
 * absent, up to `deadlineMs`. Used when a clone for the id may be in flight and its UPID is
 * unknown (lost answer, earlier attempt): the clone task writes its placeholder config only
 * after it starts, so "absent" is believed only once the grace window has passed.
 */
export async function waitUntilSettled(
  client: PveClient,
  vmid: number,
  marker: string,
  deadlineMs: number,
  signal?: AbortSignal,
  absentGraceMs = 0,
  nodeHint?: string,
): Promise<VmidState> {
  const started = Date.now();
  const until = started + deadlineMs;
  let delay = 100;
  for (;;) {
    const s = await inspectVmid(client, vmid, marker, signal ? { signal } : undefined, nodeHint);
    if (s.state === 'absent' && Date.now() - started >= absentGraceMs) return s;
    if (s.state === 'foreign' || (s.state === 'ours' && !s.lock)) return s;
    if (Date.now() + delay > until) return s;
    await abortableSleep(delay, signal);
    delay = Math.min(2_000, Math.round(delay * 1.5));
  }
}
