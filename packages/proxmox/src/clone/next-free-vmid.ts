import type { PveClient } from '../client/pve-client';
import type { CallOptions } from '../client/request-engine';
import { PveApiError } from '../errors/pve-api-error';
import { ZNextId } from '../wire/coerce.schema';
import { listClusterVms } from '../helpers/find-vms-by-tag';

export type NextFreeVmidOptions = {
  /** Inclusive bounds of Betang's own vmid range (e.g. 10000–19999). */
  min: number;
  max: number;
  /** Ids to skip: reserved in Postgres, or lost in a race earlier in this attempt. */
  exclude?: Iterable<number>;
  /** How many `nextid?vmid=N` probes before giving up (default 25). */
  maxProbes?: number;
  /**
   * VM ids from a `/cluster/resources` list the caller already read (e.g. before taking a lock,
   * to keep PVE calls out of it): the list call is skipped. Every candidate is still confirmed
   * with `nextid`, so a VM created since that list is never handed out.
   */
  listedVmids?: Iterable<number>;
} & CallOptions;

/** No free vmid in the range (or probe budget exhausted). */
export class VmidRangeExhaustedError extends Error {
  override readonly name = 'VmidRangeExhaustedError';
  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    super(`tidak ada VMID bebas di rentang ${min}–${max} / no free VMID in range ${min}–${max}`);
  }
}

function isTaken(err: unknown): boolean {
  return (
    err instanceof PveApiError &&
    err.status === 400 &&
    /already exists/i.test(`${err.message} ${Object.values(err.errors ?? {}).join(' ')}`)
  );
}

/**
 * Lowest vmid in [min, max] that is not in the cluster list, not excluded, and that PVE
 * confirms free with `GET /cluster/nextid?vmid=N` (400 `VM N already exists` when taken).
 *
 * Reserves nothing (neither does PVE): two callers can get the same id. Callers must
 * reserve it in Postgres (unique constraint) and still expect to lose a race at clone
 * time; cloneToFreeVmid handles that. Read-only, so safe to repeat.
 */
export async function nextFreeVmid(client: PveClient, options: NextFreeVmidOptions): Promise<number> {
  const { min, max } = options;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 100 || max > 999_999_999 || min > max) {
    throw new RangeError(`invalid vmid range ${min}–${max}`);
  }
  const callOpts: CallOptions = {
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const used = new Set<number>(options.exclude ?? []);
  if (options.listedVmids) for (const id of options.listedVmids) used.add(id);
  else for (const vm of await listClusterVms(client, callOpts)) used.add(vm.vmid);
  let probes = options.maxProbes ?? 25;
  for (let id = min; id <= max && probes > 0; id++) {
    if (used.has(id)) continue;
    probes--;
    try {
      const got = ZNextId.parse(await client.request('GET', '/cluster/nextid', { vmid: id }, callOpts));
      if (got === id) return id;
    } catch (err) {
      if (!isTaken(err)) throw err;
    }
  }
  throw new VmidRangeExhaustedError(min, max);
}
