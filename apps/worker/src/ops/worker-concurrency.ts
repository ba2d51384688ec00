import { nodeCapacity, type PveClient } from '@betang/proxmox';
import type { Logger } from 'pino';

/** WORKER_CONCURRENCY: sized from the cluster, or a number capping that size. */
export type ConcurrencySetting = 'auto' | number;

/** The schema's upper bound of WORKER_CONCURRENCY; `auto` never goes above it either. */
export const MAX_WORKER_CONCURRENCY = 64;

/**
 * How many provisioning jobs a worker runs at once: online nodes × clone limit (the runs that
 * can be actively talking to PVE at the same time — waits are parked and hold no slot), at least
 * 1, at most the setting when it is a number and at most MAX_WORKER_CONCURRENCY. Before the
 * cluster has answered (`onlineNodes` undefined): one node's worth, or the number set. Pure.
 */
export function workerConcurrency(setting: ConcurrencySetting, cloneLimit: number, onlineNodes: number | undefined): number {
  const cap = setting === 'auto' ? MAX_WORKER_CONCURRENCY : Math.min(setting, MAX_WORKER_CONCURRENCY);
  const fromCluster = onlineNodes === undefined ? (setting === 'auto' ? cloneLimit : cap) : onlineNodes * cloneLimit;
  return Math.max(1, Math.min(cap, Math.floor(fromCluster)));
}

/** Online nodes of the cluster, or undefined when PVE does not answer within `timeoutMs`. */
export async function countOnlineNodes(pve: PveClient, timeoutMs: number): Promise<number | undefined> {
  try {
    const nodes = await nodeCapacity(pve, { signal: AbortSignal.timeout(timeoutMs) });
    return nodes.filter((n) => n.online).length;
  } catch {
    return undefined;
  }
}

/**
 * Sizes the provisioning worker from the cluster now and every `everyMs` after (a node joins,
 * leaves or goes down): `apply` is called with the new size whenever it changes (BullMQ's
 * `worker.concurrency` setter takes effect for the next jobs picked up; running ones go on).
 * A round where PVE does not answer keeps the current size. Returns the first size and a stop.
 */
export async function startConcurrencySizing(o: {
  setting: ConcurrencySetting;
  cloneLimit: number;
  pve: PveClient | undefined;
  everyMs: number;
  log: Logger;
  apply(concurrency: number): void;
}): Promise<{ initial: number; stop(): void }> {
  const read = async () => (o.pve ? countOnlineNodes(o.pve, 5_000) : undefined);
  let current = workerConcurrency(o.setting, o.cloneLimit, await read());
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void read()
      .then((nodes) => {
        if (nodes === undefined) return;
        const next = workerConcurrency(o.setting, o.cloneLimit, nodes);
        if (next === current) return;
        o.log.info(
          { from: current, to: next, nodes },
          'konkurensi worker disesuaikan dengan klaster / worker concurrency resized to the cluster',
        );
        current = next;
        o.apply(next);
      })
      .finally(() => {
        busy = false;
      });
  }, o.everyMs);
  timer.unref();
  return { initial: current, stop: () => clearInterval(timer) };
}
