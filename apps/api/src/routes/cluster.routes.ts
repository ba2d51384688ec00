import type { SetupFindingDto, ZReconcileFinding } from '@betang/core';
import { AppError, DATA_CENTER_ROLES, ErrorCode, Role, ZCluster, ZDismissFindingBody, ZIdParam, ZReconcileFindingList } from '@betang/core';
import { appendAudit, getClusterSelfCheck, listClusterNodes } from '@betang/db';
import { z } from 'zod';
import { auditContext } from '../http/context';
import { route } from '../http/route';
import type { RoutesContext } from './router-context';

/** A snapshot older than this is shown as stale (the worker refreshes it every 30 s). */
const STALE_AFTER_MS = 2 * 60_000;

/** GET /cluster and the reconciliation findings (operators). Both read what the worker recorded. */
export function clusterRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/cluster',
      tag: 'cluster',
      summary: 'Node klaster, kapasitas, kesehatan / cluster nodes, capacity, health',
      access: DATA_CENTER_ROLES,
      response: ZCluster,
    },
    async () => {
      const [nodes, counts, setup] = await Promise.all([
        listClusterNodes(db),
        db
          .selectFrom('vms')
          .select(['node', (eb) => eb.fn.countAll<number>().as('n')])
          .where('state', 'not in', ['decommissioned', 'failed'])
          .groupBy('node')
          .execute(),
        getClusterSelfCheck(db),
      ]);
      const perNode = new Map(counts.map((c) => [c.node, Number(c.n)]));
      const newest = nodes.reduce<Date | null>((acc, n) => (!acc || n.observedAt > acc ? n.observedAt : acc), null);
      return {
        nodes: nodes.map((n) => ({ ...n, betangVms: perNode.get(n.node) ?? 0, observedAt: n.observedAt.toISOString() })),
        observedAt: newest?.toISOString() ?? null,
        stale: !newest || Date.now() - newest.getTime() > STALE_AFTER_MS,
        setup: setup
          ? {
              ...setup,
              checkedAt: setup.checkedAt.toISOString(),
              findings: setup.findings.map((f) => ({ ...f, check: f.check as SetupFindingDto['check'] })),
            }
          : null,
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/reconciliation',
      tag: 'cluster',
      summary: 'Temuan rekonsiliasi / reconciliation findings',
      access: DATA_CENTER_ROLES,
      query: z.strictObject({ status: z.enum(['open', 'resolved', 'dismissed']).default('open') }),
      response: ZReconcileFindingList,
    },
    async ({ query }) => {
      const rows = await db
        .selectFrom('reconcileFindings')
        .selectAll()
        .where('status', '=', query.status)
        .orderBy('lastSeenAt', 'desc')
        .limit(500)
        .execute();
      return {
        items: rows.map((r) => ({
          id: r.id,
          kind: r.kind as z.infer<typeof ZReconcileFinding>['kind'],
          status: r.status as 'open',
          institutionId: r.institutionId,
          vmId: r.vmId,
          runId: r.runId,
          vmid: r.vmid,
          node: r.node,
          message: { id: r.messageId, en: r.messageEn },
          detail: r.detail,
          firstSeenAt: r.firstSeenAt.toISOString(),
          lastSeenAt: r.lastSeenAt.toISOString(),
        })),
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/reconciliation/{id}/dismiss',
      tag: 'cluster',
      summary: 'Tandai temuan ditangani / dismiss a finding',
      access: [Role.Admin, Role.Operator],
      params: ZIdParam,
      body: ZDismissFindingBody,
    },
    async ({ req, res, auth, params, body }) => {
      await db.transaction().execute(async (tx) => {
        const updated = await tx
          .updateTable('reconcileFindings')
          .set({
            status: 'dismissed',
            resolvedAt: new Date(),
            resolvedBy: auth.user.id,
            detail: (eb) => eb.fn('jsonb_set', [eb.ref('detail'), eb.val('{dismissReason}'), eb.val(JSON.stringify(body.reason))]),
          })
          .where('id', '=', params.id)
          .where('status', '=', 'open')
          .returning(['id', 'institutionId', 'kind'])
          .executeTakeFirst();
        if (!updated) throw new AppError(ErrorCode.NotFound);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: updated.institutionId,
          action: 'reconciliation.finding_dismissed',
          targetType: 'reconcile_finding',
          targetId: updated.id,
          after: { kind: updated.kind, reason: body.reason },
        });
      });
      return undefined;
    },
  );
}
