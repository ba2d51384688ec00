import {
  AGREEMENT_REMINDER_DAYS,
  DEFAULT_SERVICE_STANDARDS,
  VM_HOLDING_STATES,
  ZServiceStandards,
  todayInJakarta,
  type OperatorDashboardDto,
} from '@betang/core';
import { getSetting, listClusterNodes, type Executor } from '@betang/db';
import { sql } from 'kysely';
import { clusterDiskGiB, nodeDiskGiB } from './disk-capacity';

/** Agreements in force whose term ends within this many days count as expiring soon (the first reminder). */
export const EXPIRING_WITHIN_DAYS = Math.max(...AGREEMENT_REMINDER_DAYS);

const MIB = 1024 * 1024;

type Figure = OperatorDashboardDto['capacity']['total']['cores'];
const figure = (allocated: number, physical: number | null): Figure => ({
  allocated,
  physical,
  ratio: physical && physical > 0 ? Math.round((allocated / physical) * 100) / 100 : null,
});

const isOver = (f: Figure): boolean => (f.ratio ?? 0) > 1;

/** Adds `days` to a `YYYY-MM-DD` date. */
function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The operator's dashboard counts, each computed with the same filter as the list it links to:
 * requests and resizes awaiting a decision (overdue = older than the approval standard), runs
 * queued or running, requests failed (each counted once, however many runs failed), agreements
 * awaiting the data-center head, agreements in force ending within EXPIRING_WITHIN_DAYS (WIB),
 * open reconciliation findings; and per node the vCPU and memory of Betang's VMs that hold
 * resources against the node's CPUs, memory and VM-disk storage from the last cluster snapshot. Read-only.
 */
export async function operatorDashboard(db: Executor, now = new Date()): Promise<OperatorDashboardDto> {
  const standards = await getSetting(db, 'service_standards', ZServiceStandards, DEFAULT_SERVICE_STANDARDS);
  const overdueBefore = new Date(now.getTime() - standards.approvalHours * 3_600_000);
  const today = todayInJakarta(now);

  const [requests, changes, runs, failed, agreements, findings, allocated, nodes] = await Promise.all([
    db
      .selectFrom('vpsRequests')
      .select([
        sql<number>`count(*)::int`.as('waiting'),
        sql<number>`count(*) filter (where created_at < ${overdueBefore})::int`.as('overdue'),
      ])
      .where('status', 'in', ['submitted', 'partially_approved'])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('provisioningRuns')
      .select([
        sql<number>`count(*)::int`.as('waiting'),
        sql<number>`count(*) filter (where created_at < ${overdueBefore})::int`.as('overdue'),
      ])
      .where('status', '=', 'awaiting_approval')
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('provisioningRuns')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('vpsRequests')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('status', '=', 'failed')
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('agreements')
      .select([
        sql<number>`count(*) filter (where status = 'awaiting_dc_head')::int`.as('awaitingDcHead'),
        sql<number>`count(*) filter (where status = 'in_force' and term_start <= ${today} and term_end >= ${today} and term_end <= ${plusDays(today, EXPIRING_WITHIN_DAYS)})::int`.as(
          'expiringSoon',
        ),
      ])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('reconcileFindings')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('vms')
      .select([
        'node',
        sql<number>`count(*)::int`.as('vms'),
        sql<number>`coalesce(sum(cores), 0)::int`.as('cores'),
        sql<number>`coalesce(sum(memory_mib), 0)::bigint`.as('memoryMiB'),
        sql<number>`coalesce(sum(disk_gib), 0)::bigint`.as('diskGiB'),
      ])
      .where('state', 'in', [...VM_HOLDING_STATES])
      .where('node', 'is not', null)
      .groupBy('node')
      .execute(),
    listClusterNodes(db),
  ]);

  const byNode = new Map(
    allocated.map((a) => [a.node ?? '', { vms: a.vms, cores: a.cores, memoryMiB: Number(a.memoryMiB), diskGiB: Number(a.diskGiB) }]),
  );
  const names = [...new Set([...nodes.map((n) => n.node), ...byNode.keys()])].sort();
  const perNode = names.map((name) => {
    const snap = nodes.find((n) => n.node === name);
    const use = byNode.get(name) ?? { vms: 0, cores: 0, memoryMiB: 0, diskGiB: 0 };
    const cores = figure(use.cores, snap?.cpuCount ?? null);
    const memoryMiB = figure(use.memoryMiB, snap?.memTotalBytes ? Math.floor(snap.memTotalBytes / MIB) : null);
    const diskGiB = figure(use.diskGiB, snap ? nodeDiskGiB(snap.storages) : null);
    return {
      node: name,
      online: snap?.online ?? false,
      vms: use.vms,
      cores,
      memoryMiB,
      diskGiB,
      overcommitted: [cores, memoryMiB, diskGiB].some(isOver),
    };
  });
  const sum = (pick: (n: (typeof perNode)[number]) => Figure) => {
    const known = perNode.map(pick).filter((f) => f.physical !== null);
    return figure(
      perNode.reduce((s, n) => s + pick(n).allocated, 0),
      known.length > 0 ? known.reduce((s, f) => s + (f.physical ?? 0), 0) : null,
    );
  };
  const totalCores = sum((n) => n.cores);
  const totalMemory = sum((n) => n.memoryMiB);
  const totalDisk = figure(
    perNode.reduce((s, n) => s + n.diskGiB.allocated, 0),
    clusterDiskGiB(nodes),
  );
  const observed = nodes.map((n) => n.observedAt.getTime());

  return {
    generatedAt: now.toISOString(),
    serviceStandards: standards,
    approvals: { waiting: requests.waiting + changes.waiting, overdue: requests.overdue + changes.overdue },
    provisioning: { running: runs.n },
    failed: { needingAction: failed.n },
    agreements: {
      awaitingDcHead: agreements.awaitingDcHead,
      expiringSoon: agreements.expiringSoon,
      expiringWithinDays: EXPIRING_WITHIN_DAYS,
    },
    findings: { open: findings.n },
    capacity: {
      observedAt: observed.length > 0 ? new Date(Math.min(...observed)).toISOString() : null,
      nodes: perNode,
      total: {
        vms: perNode.reduce((s, n) => s + n.vms, 0),
        cores: totalCores,
        memoryMiB: totalMemory,
        diskGiB: totalDisk,
        overcommitted: [totalCores, totalMemory, totalDisk].some(isOver),
      },
    },
  };
}
