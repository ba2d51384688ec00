import {
  INSTITUTION_ROLES,
  Role,
  ZIdParam,
  ZRollbackSnapshotBody,
  ZSnapshotParams,
  ZSnapshotPolicy,
  ZSnapshotRunAnswer,
  ZTakeSnapshotBody,
  ZVmSnapshotList,
} from '@betang/core';
import { appendAudit, putSetting } from '@betang/db';
import { actorOf, auditContext } from '../http/context';
import { route } from '../http/route';
import { deleteVmSnapshot, listVmSnapshots, rollbackVmSnapshot, snapshotPolicy, takeVmSnapshot } from '../use-cases/vms/vm-snapshots';
import type { RoutesContext } from './router-context';

const ACTORS = [...INSTITUTION_ROLES, Role.Admin, Role.Operator];

/**
 * Snapshots of a VM (the owning institution's staff and head, operators for any VM): list, take
 * (with or without RAM), roll back, delete — each a day-2 run; and the admins' snapshot policy
 * (how many per VM, how many days they are kept).
 */
export function snapshotRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vms/{id}/snapshots',
      tag: 'vms',
      summary: 'Daftar snapshot VM / a VM’s snapshots',
      access: 'user',
      params: ZIdParam,
      response: ZVmSnapshotList,
    },
    async ({ auth, params }) => listVmSnapshots(db, actorOf(auth), params.id),
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/snapshots',
      tag: 'vms',
      summary: 'Ambil snapshot (dengan/tanpa RAM) / take a snapshot (with or without RAM)',
      access: ACTORS,
      params: ZIdParam,
      body: ZTakeSnapshotBody,
      response: ZSnapshotRunAnswer,
      status: 202,
    },
    async ({ req, res, auth, params, body }) =>
      db.transaction().execute((tx) => takeVmSnapshot(tx, actorOf(auth), params.id, body, auditContext(req, res))),
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/snapshots/{snapshotId}/rollback',
      tag: 'vms',
      summary: 'Kembalikan VM ke snapshot / roll a VM back to a snapshot',
      access: ACTORS,
      params: ZSnapshotParams,
      body: ZRollbackSnapshotBody,
      response: ZSnapshotRunAnswer,
      status: 202,
    },
    async ({ req, res, auth, params, body }) =>
      db
        .transaction()
        .execute((tx) => rollbackVmSnapshot(tx, actorOf(auth), params.id, params.snapshotId, body.start, auditContext(req, res))),
  );

  route(
    router,
    registry,
    {
      method: 'delete',
      path: '/vms/{id}/snapshots/{snapshotId}',
      tag: 'vms',
      summary: 'Hapus snapshot / delete a snapshot',
      access: ACTORS,
      params: ZSnapshotParams,
      response: ZSnapshotRunAnswer,
      status: 202,
    },
    async ({ req, res, auth, params }) =>
      db.transaction().execute((tx) => deleteVmSnapshot(tx, actorOf(auth), params.id, params.snapshotId, auditContext(req, res))),
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/settings/snapshot-policy',
      tag: 'settings',
      summary: 'Pengaturan / setting: snapshot-policy',
      access: 'user',
      response: ZSnapshotPolicy,
    },
    async () => snapshotPolicy(db),
  );
  route(
    router,
    registry,
    {
      method: 'put',
      path: '/settings/snapshot-policy',
      tag: 'settings',
      summary: 'Ubah batas snapshot (admin) / change the snapshot limits (admins)',
      access: [Role.Admin],
      scope: 'admin',
      body: ZSnapshotPolicy,
      response: ZSnapshotPolicy,
    },
    async ({ req, res, auth, body }) =>
      db.transaction().execute(async (tx) => {
        const before = await snapshotPolicy(tx);
        await putSetting(tx, 'snapshot_policy', body, auth.user.id);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: null,
          action: 'settings.updated',
          targetType: 'setting',
          targetId: 'snapshot_policy',
          before,
          after: body,
        });
        return body;
      }),
  );
}
