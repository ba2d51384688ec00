/*
 * Provisioning benchmark: N requests approved at once on a simulated cluster, from the first
 * approval until every request is active. Figures are ratios and rates measured in this one run
 * (never asserted as timed tests): wall time against the critical path the simulator allows,
 * VMs per second, PVE API calls per VM, worker peak RSS.
 */
import { sql } from 'kysely';
import { simCall } from '@betang/testkit';
import type { SimStats } from '../test/support/cluster-sim-process';
import { emptyPeaks, withSample } from './support/rss-peaks';
import { rssBytes, startStack, type StorageLayout } from './support/stack';

/**
 * Realistic durations of the simulator (docs/pve-simulator.md "Timing", seconds at timeFactor 1)
 * for the default Debian template (3 GiB disk on shared ceph) and agentBootSeconds 20.
 */
const SIM_SECONDS = {
  cloneFork: 0.5,
  fullClone: 0.3 + 3 * 3,
  config: 0.4,
  resize: 1,
  start: 1.5,
  agentIpv4: 20 + 3,
};

/**
 * The shortest wall time the simulated cluster allows for `n` VMs when every clone runs on
 * `cloneNodes` nodes with `slotsPerNode` concurrent clones each: the clones, packed into the
 * slots, then the config → resize → start → agent chain of the last VM cloned, then that VM's
 * guest configuration. The simulator gives guest configuration no duration (its emulated guest
 * answers at once), so `guestSeconds` is the fastest `configure-guest` step measured in the same
 * run: the least any VM needed on this machine, a lower bound that is not scaled by timeFactor
 * (docs/benchmarks.md explains the choice).
 */
export function criticalPathSeconds(n: number, cloneNodes: number, slotsPerNode: number, timeFactor: number, guestSeconds = 0): number {
  const clone = SIM_SECONDS.cloneFork + SIM_SECONDS.fullClone;
  const rounds = Math.ceil(n / (cloneNodes * slotsPerNode));
  const tail = SIM_SECONDS.config + SIM_SECONDS.resize + SIM_SECONDS.start + SIM_SECONDS.agentIpv4;
  return (rounds * clone + tail) * timeFactor + guestSeconds;
}

export type ProvisioningFigures = {
  /** Shared storage (one template copy) or local storage (a copy per node); absent in runs before layouts. */
  layout?: StorageLayout;
  requests: number;
  nodes: number;
  timeFactor: number;
  workerConcurrency: number;
  /** Worker processes on the same database, Redis and simulator; absent in runs before it could be more than one. */
  workers?: number;
  wallSeconds: number;
  approveSeconds: number;
  active: number;
  failed: number;
  vmsPerSecond: number;
  pveCallsPerVm: number;
  pveCallsByRoute: Record<string, number>;
  /** The first worker's peak RSS (the only one's, in a one-worker run). */
  workerPeakRssMB: number;
  /** Each worker's own peak RSS, in MB. */
  workerPeakRssMBEach?: number[];
  /** The peak of all workers' RSS added up at one sampling instant, in MB. */
  workersPeakRssSumMB?: number;
  /** Nodes the clones actually ran on: the template copies' nodes (the copy runs there, whatever the target). */
  cloneNodes: string[];
  /** The spread: how many of the run's VMs ended on each node. */
  vmsPerNode?: Record<string, number>;
  criticalPathSeconds?: number;
  /** The fastest configure-guest step of the run, included in the critical path. */
  minGuestSeconds?: number;
  ratioToCriticalPath?: number;
  clusterCriticalPathSeconds?: number;
  /** Where a VM's time went: mean seconds from approval to its run starting, and per step. */
  meanSeconds: Record<string, number>;
};

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one provisioning scenario end to end and returns its figures. */
export async function runProvisioningBench(o: {
  requests: number;
  nodes: number;
  timeFactor: number;
  workerConcurrency: number;
  deadlineSeconds: number;
  layout?: StorageLayout;
  /** Worker processes (1 unless given), each with `workerConcurrency`. */
  workers?: number;
  log: (l: string) => void;
  after?: (s: { apiBase: string; operatorEmail: string; ids: string[] }) => Promise<void>;
}): Promise<ProvisioningFigures> {
  const stack = await startStack({ ...o, label: 'bench' });
  try {
    const { ids, approveAll } = await stack.submit(o.requests);
    o.log(`${o.requests} requests submitted; approving all at once (timeFactor ${o.timeFactor})`);
    await simCall(stack.sim, 'POST', '/_chaos/stats');
    const sampleRss = () => stack.workerPids().map(rssBytes);
    let peaks = withSample(emptyPeaks(stack.workerPids().length), sampleRss());
    const sampler = setInterval(() => (peaks = withSample(peaks, sampleRss())), 100);
    const t0 = performance.now();
    await approveAll();
    const approveSeconds = (performance.now() - t0) / 1000;
    let counts: Record<string, number> = {};
    let lastLog = 0;
    for (;;) {
      const rows = await stack.db.selectFrom('vpsRequests').select('status').where('id', 'in', ids).execute();
      counts = {};
      for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
      if ((counts.active ?? 0) + (counts.failed ?? 0) === o.requests) break;
      stack.assertWorkerAlive();
      if ((performance.now() - t0) / 1000 > o.deadlineSeconds)
        throw new Error(`not settled after ${o.deadlineSeconds} s: ${JSON.stringify(counts)}`);
      if (performance.now() - lastLog > 5000) {
        o.log(`progress: ${JSON.stringify(counts)}`);
        lastLog = performance.now();
      }
      await sleep(o.timeFactor === 0 ? 20 : 100);
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const stats = await simCall<SimStats>(stack.sim, 'GET', '/_chaos/stats');
    const vms = await stack.db.selectFrom('vms').select('node').where('requestId', 'in', ids).execute();
    const vmsPerNode: Record<string, number> = {};
    for (const v of vms.map((x) => x.node ?? '?').sort()) vmsPerNode[v] = (vmsPerNode[v] ?? 0) + 1;
    // place's memoised result names the template copy's node, where each clone ran.
    const places = await sql<{ node: string | null }>`
      SELECT DISTINCT coalesce(result->>'templateNode', result->>'node') AS node FROM run_steps WHERE key = 'place' AND status = 'done'`.execute(
      stack.db,
    );
    const cloneNodes = places.rows.map((r) => r.node ?? '?').sort();
    const active = counts.active ?? 0;
    const meanSeconds: Record<string, number> = {};
    const steps = await sql<{ key: string; s: number }>`
      SELECT s.key, avg(extract(epoch FROM s.finished_at - s.started_at))::float AS s
      FROM run_steps s JOIN provisioning_runs r ON r.id = s.run_id
      WHERE s.finished_at IS NOT NULL AND s.started_at IS NOT NULL GROUP BY s.key ORDER BY min(s.position)`.execute(stack.db);
    const queued = await sql<{ s: number; total: number }>`
      SELECT avg(extract(epoch FROM started_at - created_at))::float AS s, avg(extract(epoch FROM finished_at - created_at))::float AS total FROM provisioning_runs WHERE status = 'succeeded'`.execute(
      stack.db,
    );
    meanSeconds['approval → run started'] = queued.rows[0]?.s ?? 0;
    for (const row of steps.rows) meanSeconds[row.key] = row.s;
    meanSeconds['approval → run finished'] = queued.rows[0]?.total ?? 0;
    const guest = await sql<{ s: number | null }>`
      SELECT min(extract(epoch FROM finished_at - started_at))::float AS s FROM run_steps
      WHERE key = 'configure-guest' AND status = 'done' AND finished_at IS NOT NULL AND started_at IS NOT NULL`.execute(stack.db);
    const minGuestSeconds = guest.rows[0]?.s ?? 0;
    const figures: ProvisioningFigures = {
      layout: o.layout ?? 'shared',
      vmsPerNode,
      requests: o.requests,
      nodes: o.nodes,
      timeFactor: o.timeFactor,
      workerConcurrency: o.workerConcurrency,
      workers: o.workers ?? 1,
      wallSeconds,
      approveSeconds,
      active,
      failed: counts.failed ?? 0,
      vmsPerSecond: active / wallSeconds,
      pveCallsPerVm: stats.requests / Math.max(1, active),
      pveCallsByRoute: Object.fromEntries(
        Object.entries(stats.byRoute)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => [k, Math.round((v / Math.max(1, active)) * 100) / 100]),
      ),
      workerPeakRssMB: (peaks.each[0] ?? 0) / MB,
      workerPeakRssMBEach: peaks.each.map((b) => b / MB),
      workersPeakRssSumMB: peaks.sum / MB,
      cloneNodes,
      meanSeconds,
    };
    if (o.timeFactor > 0) {
      figures.minGuestSeconds = minGuestSeconds;
      figures.criticalPathSeconds = criticalPathSeconds(o.requests, cloneNodes.length, 2, o.timeFactor, minGuestSeconds);
      figures.ratioToCriticalPath = wallSeconds / figures.criticalPathSeconds;
      figures.clusterCriticalPathSeconds = criticalPathSeconds(o.requests, o.nodes, 2, o.timeFactor, minGuestSeconds);
    }
    await o.after?.({ apiBase: stack.apiBase, operatorEmail: stack.operatorEmail, ids });
    return figures;
  } finally {
    await stack.close();
  }
}
