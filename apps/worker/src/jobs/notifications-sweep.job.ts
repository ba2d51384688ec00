import { approvalOverdueMessage, DEFAULT_SERVICE_STANDARDS, Role, ZServiceStandards } from '@betang/core';
import { getSetting, notify, pruneNotifications, userIdsWithRole, type Db } from '@betang/db';
import type { JobHandler } from '@betang/queue';
import type { WorkerDeps } from '../deps';

/**
 * Tells operators about every request that has waited for a decision (submitted or partially
 * approved) longer than the approval service standard. Safe to run any number of times: each
 * request's notice has the reason `vps_request:<id>:approval_overdue`, written once per operator.
 */
export async function sweepOverdueApprovals(db: Db, now: Date = new Date()): Promise<{ overdue: number }> {
  const standards = await getSetting(db, 'service_standards', ZServiceStandards, DEFAULT_SERVICE_STANDARDS);
  const cutoff = new Date(now.getTime() - standards.approvalHours * 3_600_000);
  const waiting = await db
    .selectFrom('vpsRequests')
    .select(['id', 'hostname', 'institutionId', 'createdAt'])
    .where('status', 'in', ['submitted', 'partially_approved'])
    .where('createdAt', '<', cutoff)
    .orderBy('createdAt')
    .limit(500)
    .execute();
  if (waiting.length === 0) return { overdue: 0 };
  const operators = await userIdsWithRole(db, Role.Operator);
  let overdue = 0;
  for (const request of waiting) {
    const waitedHours = Math.floor((now.getTime() - request.createdAt.getTime()) / 3_600_000);
    const result = await notify(db, { ...approvalOverdueMessage(request, waitedHours, standards.approvalHours), recipients: operators });
    if (result.notified > 0) overdue++;
  }
  return { overdue };
}

const DAY_MS = 86_400_000;
/** Read notifications are kept this long, finished webhook deliveries (the log) this long. */
const KEEP_READ_DAYS = 180;
const KEEP_DELIVERIES_DAYS = 90;

/**
 * `notifications.sweep`: overdue approvals (see sweepOverdueApprovals for why running it twice is
 * safe), then old read notifications and finished deliveries pruned (a second run finds none).
 */
export function notificationsSweepJob(deps: WorkerDeps): JobHandler<'notifications.sweep'> {
  return async () => {
    const now = Date.now();
    const result = await sweepOverdueApprovals(deps.db, new Date(now));
    const pruned = await pruneNotifications(
      deps.db,
      new Date(now - KEEP_READ_DAYS * DAY_MS),
      new Date(now - KEEP_DELIVERIES_DAYS * DAY_MS),
    );
    if (result.overdue > 0) deps.logger.info(result, 'permintaan lewat standar layanan / requests past the service standard');
    return { ...result, pruned };
  };
}
