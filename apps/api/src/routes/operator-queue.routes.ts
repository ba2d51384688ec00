import {
  DATA_CENTER_ROLES,
  DEFAULT_SERVICE_STANDARDS,
  ZOperatorDashboard,
  ZOperatorQueue,
  ZServiceStandards,
  type OperatorDashboardDto,
  type OperatorQueueDto,
} from '@betang/core';
import { getSetting } from '@betang/db';
import { sql } from 'kysely';
import { DashboardPulse } from '../events/dashboard-pulse';
import { openEventStream } from '../events/event-stream';
import { RequestEventHub } from '../events/request-event-hub';
import { route } from '../http/route';
import { operatorDashboard } from '../use-cases/operator/dashboard';
import { ZResizeParams } from '../use-cases/vms/pending-change';
import type { RoutesContext } from './router-context';

/** How often the live dashboard re-reads its counts while someone watches. */
const DASHBOARD_PULSE_MS = 2000;

/** A pending change's before → after, read from its run's params (a run written before `before` existed shows `from`). */
function changeOf(raw: unknown, requestPorts: number[]): { change?: OperatorQueueDto['pendingApprovals'][number]['change'] } {
  const params = ZResizeParams.safeParse(raw);
  if (!params.success) return {};
  const p = params.data;
  const before = p.before ?? p.from;
  const portsFrom = p.portsFrom ?? requestPorts;
  return {
    change: {
      before: { ...before, ports: portsFrom },
      after: { cores: p.cores, memoryMiB: p.memoryMiB, diskGiB: p.diskGiB, ports: p.ports ?? portsFrom },
      applyAt: p.applyAt ?? null,
    },
  };
}

/** The operators' dashboard (counts and capacity) and queue: pending approvals (requests and resizes), running runs, failed runs (with the retry action). */
export function operatorQueueRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  route(
    router,
    registry,
    {
      method: 'get',
      path: '/operator/dashboard',
      tag: 'operator',
      summary: 'Dasbor operator / operators’ dashboard',
      access: DATA_CENTER_ROLES,
      response: ZOperatorDashboard,
    },
    () => operatorDashboard(db),
  );

  // One shared read every two seconds while an operator watches; each stream is told only of changes.
  const hub = deps.requestEvents ?? new RequestEventHub({ db, logger: deps.logger });
  const pulse = new DashboardPulse<OperatorDashboardDto>({
    read: () => operatorDashboard(db),
    logger: deps.logger,
    intervalMs: DASHBOARD_PULSE_MS,
    volatile: ['generatedAt'],
  });
  route(
    router,
    registry,
    {
      method: 'get',
      path: '/operator/dashboard/events',
      tag: 'operator',
      summary: 'Dasbor operator langsung (SSE) / operators’ dashboard, live (SSE)',
      access: DATA_CENTER_ROLES,
      writes: 'text/event-stream',
    },
    async ({ req, res, auth }) => {
      const ticket = hub.admit(auth.user.id);
      try {
        const first = await operatorDashboard(db);
        const stream = openEventStream(req, res, hub.streamOptions);
        let seq = 0;
        const send = (value: OperatorDashboardDto) => stream.send('dashboard', (seq += 1), value);
        send(first);
        const unsubscribe = pulse.subscribe(send, first);
        const unhook = hub.whenStopping(() => stream.close());
        stream.onClose(() => {
          unsubscribe();
          unhook();
          ticket.release();
        });
      } catch (error) {
        ticket.release();
        throw error;
      }
    },
  );
  route(
    router,
    registry,
    {
      method: 'get',
      path: '/operator/queue',
      tag: 'operator',
      summary: 'Antrean operator / operators’ queue',
      access: DATA_CENTER_ROLES,
      response: ZOperatorQueue,
    },
    async () => {
      const standards = await getSetting(db, 'service_standards', ZServiceStandards, DEFAULT_SERVICE_STANDARDS);
      const now = Date.now();
      const aged = (since: Date, targetMinutes: number) => {
        const ageMinutes = Math.floor((now - since.getTime()) / 60_000);
        return { since: since.toISOString(), ageMinutes, targetMinutes, overdue: ageMinutes > targetMinutes };
      };
      const base = db
        .selectFrom('vpsRequests as r')
        .innerJoin('institutions as i', 'i.id', 'r.institutionId')
        .select(['r.id as requestId', 'r.institutionId', 'i.name as institutionName', 'r.hostname', 'r.status', 'r.createdAt']);
      const pending = await base.where('r.status', 'in', ['submitted', 'partially_approved']).orderBy('r.createdAt').limit(500).execute();
      // Pending changes (resizes and in-place restores awaiting approval) are decided on their request, like the request itself.
      const changes = await db
        .selectFrom('provisioningRuns as p')
        .innerJoin('vpsRequests as r', 'r.id', 'p.requestId')
        .innerJoin('institutions as i', 'i.id', 'r.institutionId')
        .select([
          'p.id as runId',
          'p.kind',
          'r.id as requestId',
          'r.institutionId',
          'i.name as institutionName',
          'r.hostname',
          'p.createdAt',
          'p.params',
          'r.ports',
        ])
        .where('p.status', '=', 'awaiting_approval')
        .orderBy('p.createdAt')
        .limit(500)
        .execute();
      const runs = await db
        .selectFrom('provisioningRuns as p')
        .innerJoin('vpsRequests as r', 'r.id', 'p.requestId')
        .innerJoin('institutions as i', 'i.id', 'r.institutionId')
        .select([
          'p.id as runId',
          'p.status as runStatus',
          'p.currentStep',
          'p.progress',
          'p.attempt',
          'p.errorCode',
          'p.errorMessage',
          'p.errorRetryable',
          sql<Date>`coalesce(p.started_at, p.created_at)`.as('since'),
          'p.finishedAt',
          'r.id as requestId',
          'r.institutionId',
          'i.name as institutionName',
          'r.hostname',
          'r.status',
        ])
        .where((eb) =>
          eb.or([
            eb('p.status', 'in', ['queued', 'running']),
            eb.and([eb('p.status', '=', 'failed'), eb('r.status', '=', 'failed')]),
            // An adopted VM whose marking failed: its request stays active, the retry queues a new adopt run.
            eb.and([
              eb('p.status', '=', 'failed'),
              eb('p.kind', '=', 'adopt'),
              eb('r.status', '<>', 'decommissioned'),
              sql<boolean>`NOT EXISTS (SELECT 1 FROM provisioning_runs later WHERE later.request_id = p.request_id
                AND later.kind = 'adopt' AND (later.created_at, later.id) > (p.created_at, p.id))`,
            ]),
          ]),
        )
        .orderBy('p.createdAt')
        .limit(500)
        .execute();
      const target = standards.provisioningMinutes;
      return {
        serviceStandards: standards,
        pendingApprovals: [
          ...pending.map((p) => ({
            kind: 'request' as const,
            requestId: p.requestId,
            institutionId: p.institutionId,
            institutionName: p.institutionName,
            hostname: p.hostname,
            status: p.status,
            ...aged(p.createdAt, standards.approvalHours * 60),
          })),
          ...changes.map((c) => ({
            kind: c.kind === 'restore' ? ('restore' as const) : ('resize' as const),
            runId: c.runId,
            requestId: c.requestId,
            institutionId: c.institutionId,
            institutionName: c.institutionName,
            hostname: c.hostname,
            status: 'awaiting_approval',
            ...(c.kind === 'restore' ? {} : changeOf(c.params, c.ports)),
            ...aged(c.createdAt, standards.approvalHours * 60),
          })),
        ].sort((a, b) => a.since.localeCompare(b.since)),
        running: runs
          .filter((r) => r.runStatus !== 'failed')
          .map((r) => ({
            runId: r.runId,
            requestId: r.requestId,
            institutionId: r.institutionId,
            institutionName: r.institutionName,
            hostname: r.hostname,
            status: r.runStatus,
            currentStep: r.currentStep,
            progress: r.progress,
            attempt: r.attempt,
            ...aged(r.since, target),
          })),
        failed: runs
          .filter((r) => r.runStatus === 'failed')
          .map((r) => ({
            runId: r.runId,
            requestId: r.requestId,
            institutionId: r.institutionId,
            institutionName: r.institutionName,
            hostname: r.hostname,
            status: r.status,
            errorCode: r.errorCode,
            errorMessage: r.errorMessage ?? '',
            retryable: r.errorRetryable,
            ...aged(r.finishedAt ?? r.since, target),
          })),
      };
    },
  );
}
