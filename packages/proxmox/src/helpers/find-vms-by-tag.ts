import type { PveClient } from '../client/pve-client';
import type { CallOptions } from '../client/request-engine';
import type { ClusterVm } from '../wire/resources.schema';
import { parseResourceList, ZClusterVm } from '../wire/resources.schema';
import { parseTags } from '../wire/tags';

/** Thrown by findVmByTag when a tag meant to be unique is on more than one VM. */
export class AmbiguousTagError extends Error {
  override readonly name = 'AmbiguousTagError';
  constructor(
    readonly tag: string,
    readonly vmids: number[],
  ) {
    super(`tag ${tag} ada di beberapa VM / tag ${tag} is on several VMs: ${vmids.join(', ')}`);
  }
}

/** All VMs (qemu + lxc) in the cluster inventory, coerced. Read-only. */
export async function listClusterVms(client: PveClient, opts?: CallOptions): Promise<ClusterVm[]> {
  const data = await client.request('GET', '/cluster/resources', { type: 'vm' }, opts);
  return parseResourceList(data, ZClusterVm);
}

/**
 * VMs whose tags include `tag` (compared after PVE's normalisation: lowercase), sorted by vmid.
 *
 * Read-only, so safe to repeat. Lag: `/cluster/resources` lists a new VM as soon as its
 * config exists and reads `tags`/`lock` live, but a clone gets Betang's tags only in the
 * configure step, and `status`/`name` lag up to ~10 s (status `unknown`). So a VM whose
 * clone task is still running, or finished but not yet configured, is NOT found by tag:
 * callers that adopt-or-create must also check the vmid they reserved (GET its config,
 * match the owner marker in `description`) before cloning again — see cloneToFreeVmid.
 * Never decide running/stopped from this list; use status/current.
 */
export async function findVmsByTag(client: PveClient, tag: string, opts?: CallOptions): Promise<ClusterVm[]> {
  const wanted = parseTags(tag);
  if (wanted.length !== 1) throw new TypeError(`tag tidak valid / invalid tag: ${JSON.stringify(tag.slice(0, 140))}`);
  const [needle] = wanted as [string];
  const vms = await listClusterVms(client, opts);
  return vms.filter((vm) => vm.tags.includes(needle)).sort((a, b) => a.vmid - b.vmid);
}

/**
 * The single VM carrying `tag`, or undefined. Throws AmbiguousTagError when several carry it
 * (an operator must look: Betang never picks one silently). Same lag caveats as findVmsByTag.
 */
export async function findVmByTag(client: PveClient, tag: string, opts?: CallOptions): Promise<ClusterVm | undefined> {
  const vms = await findVmsByTag(client, tag, opts);
  if (vms.length > 1)
    throw new AmbiguousTagError(
      tag,
      vms.map((v) => v.vmid),
    );
  return vms[0];
}
