import {
  AppError,
  DEFAULT_BACKUP_POLICY,
  ErrorCode,
  INSTITUTION_ROLES,
  Role,
  ZBackupParams,
  ZBackupPolicy,
  ZBackupRestoreAnswer,
  ZRestoreBackupBody,
  ZIdParam,
  ZVmBackupList,
  canSeeInstitution,
  type VmBackupList,
} from '@betang/core';
import { getSetting, listVmBackups } from '@betang/db';
import { actorOf, auditContext } from '../http/context';
import { route } from '../http/route';
import { requestRestore } from '../use-cases/vms/restore-backup';
import type { RoutesContext } from './router-context';

/**
 * GET /vms/:id/backups: the VM's recorded backups and the policy of its service class; POST
 * /vms/:id/backups/:backupId/restore: a restore of one of them over the VM (a `restore` run).
 */
export function vmBackupRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vms/{id}/backups',
      tag: 'vms',
      summary: 'Cadangan VM / a VM’s backups',
      access: 'user',
      params: ZIdParam,
      response: ZVmBackupList,
    },
    async ({ auth, params }): Promise<VmBackupList> => {
      const vm = await db
        .selectFrom('vms')
        .innerJoin('vpsRequests', 'vpsRequests.id', 'vms.requestId')
        .innerJoin('applications', 'applications.id', 'vpsRequests.applicationId')
        .select(['vms.id', 'vms.institutionId', 'applications.dataClassification'])
        .where('vms.id', '=', params.id)
        .executeTakeFirst();
      // another institution's VM answers exactly like a missing one
      if (!vm || !canSeeInstitution(actorOf(auth), vm.institutionId)) throw new AppError(ErrorCode.NotFound);
      const classification = vm.dataClassification as VmBackupList['classification'];
      const policy = await getSetting(db, 'backup_policy', ZBackupPolicy, DEFAULT_BACKUP_POLICY);
      const rows = await listVmBackups(db, vm.id, 100);
      return {
        classification,
        policy: policy.classes[classification],
        items: rows.map((r) => ({
          id: r.id,
          backupDate: r.backupDate,
          startedAt: r.startedAt.toISOString(),
          finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
          durationSeconds: r.durationSeconds,
          sizeBytes: r.sizeBytes,
          storage: r.storage,
          volid: r.volid,
          outcome: r.outcome,
          error: r.error,
          kept: r.kept,
          downtimeSeconds: r.downtimeSeconds,
        })),
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/backups/{backupId}/restore',
      tag: 'vms',
      summary: 'Pulihkan VM dari cadangan / restore a VM from a backup',
      access: [...INSTITUTION_ROLES, Role.Admin, Role.Operator],
      params: ZBackupParams,
      body: ZRestoreBackupBody,
      response: ZBackupRestoreAnswer,
      status: 202,
    },
    async ({ req, res, auth, params, body }) =>
      db.transaction().execute((tx) => requestRestore(tx, actorOf(auth), params.id, params.backupId, body, auditContext(req, res))),
  );
}
