import {
  AppError,
  ErrorCode,
  DATA_CENTER_ROLES,
  ZIdParam,
  ZRestorePeriod,
  ZRestoreTest,
  ZRestoreTestReport,
  canSeeInstitution,
  restorePeriodOf,
  type RestoreTest,
  type RestoreTestReport,
} from '@betang/core';
import { listVmRestoreTests, restoreTestReportLines, type RestoreTestRow } from '@betang/db';
import { z } from 'zod';
import { actorOf } from '../http/context';
import { route } from '../http/route';
import type { RoutesContext } from './router-context';

/** A test row as the API shows it. */
function toDto(r: RestoreTestRow & { backupDate: string | null }): RestoreTest {
  return {
    id: r.id,
    period: r.period,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
    outcome: r.outcome,
    stage: r.stage,
    backupVolid: r.volid,
    backupDate: r.backupDate,
    durationSeconds: r.verdictAt ? Math.max(0, Math.round((r.verdictAt.getTime() - r.startedAt.getTime()) / 1000)) : null,
    checks: r.checks,
    error: r.error,
  };
}

/** GET /vms/:id/restore-tests (the VM's owners and operators) and GET /operator/restore-tests (the month's report). */
export function restoreTestRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vms/{id}/restore-tests',
      tag: 'vms',
      summary: 'Uji pemulihan VM / a VM’s test restores',
      access: 'user',
      params: ZIdParam,
      response: z.strictObject({ items: z.array(ZRestoreTest) }),
    },
    async ({ auth, params }) => {
      const vm = await db.selectFrom('vms').select(['id', 'institutionId']).where('id', '=', params.id).executeTakeFirst();
      // another institution's VM answers exactly like a missing one
      if (!vm || !canSeeInstitution(actorOf(auth), vm.institutionId)) throw new AppError(ErrorCode.NotFound);
      return { items: (await listVmRestoreTests(db, vm.id, 24)).map(toDto) };
    },
  );
  route(
    router,
    registry,
    {
      method: 'get',
      path: '/operator/restore-tests',
      tag: 'operator',
      summary: 'Laporan uji pemulihan bulanan / the monthly test restore report',
      access: DATA_CENTER_ROLES,
      query: z.strictObject({ period: ZRestorePeriod.optional() }),
      response: ZRestoreTestReport,
    },
    async ({ query }): Promise<RestoreTestReport> => {
      const period = query.period ?? restorePeriodOf(new Date());
      const lines = await restoreTestReportLines(db, period);
      const count = (o: string): number => lines.filter((l) => l.test?.outcome === o).length;
      return {
        period,
        vms: lines.length,
        ok: count('ok'),
        failed: count('failed'),
        running: count('running'),
        notTested: lines.filter((l) => l.test === null).length,
        items: lines.map((l) => ({
          vmId: l.vmId,
          vmName: l.vmName,
          vmid: l.vmid,
          institution: l.institution,
          test: l.test ? toDto(l.test) : null,
        })),
      };
    },
  );
}
