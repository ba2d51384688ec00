import {
  AppError,
  ErrorCode,
  Role,
  ZAgreementLeases,
  ZIdParam,
  ZLeaseExtendBody,
  ZLeasePolicy,
  ZQueuedRun,
  ZRenewalAnswer,
  ZRenewalBody,
  ZVmLease,
  canSeeInstitution,
  type VmLease,
} from '@betang/core';
import { appendAudit, findAgreementMeta, getLeasePolicy, findVmLease, listAgreementLeases, putSetting, type Executor } from '@betang/db';
import type { Authentication } from '../http/context';
import { actorOf, auditContext } from '../http/context';
import { route } from '../http/route';
import { draftRenewal } from '../use-cases/leases/draft-renewal';
import { cancelLeaseDestruction, extendLease, restartLeasedVm } from '../use-cases/leases/lease-actions';
import type { RoutesContext } from './router-context';

const OPERATORS = [Role.Admin, Role.Operator];

/** The VM's lease, 404 outside the caller's tenancy (another institution's VM answers like a missing one). */
async function visibleLease(db: Executor, auth: Authentication, vmId: string): Promise<VmLease> {
  const lease = await findVmLease(db, vmId);
  if (!lease || !canSeeInstitution(actorOf(auth), lease.institutionId)) throw new AppError(ErrorCode.NotFound);
  const { institutionId: _institutionId, ...view } = lease;
  return view;
}

/**
 * Leases and renewal: operators draft the renewal of an agreement (signed through the usual
 * signing flow); everyone sees the lease of the VMs they may see; operators extend a grace
 * period, restart a VM stopped by its lease or cancel its pending destruction; admins set the
 * lease policy.
 */
export function leaseRoutes({ router, registry, deps }: RoutesContext): void {
  const { db, config } = deps;

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/agreements/{id}/renewal',
      tag: 'agreements',
      summary: 'Siapkan perpanjangan perjanjian / draft the renewal of an agreement',
      access: OPERATORS,
      params: ZIdParam,
      body: ZRenewalBody,
      response: ZRenewalAnswer,
      status: 201,
    },
    async ({ req, res, auth, params, body }) =>
      draftRenewal(db, {
        agreementId: params.id,
        body,
        actorUserId: auth.user.id,
        audit: auditContext(req, res),
        publicUrl: config.PUBLIC_URL,
      }),
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/agreements/{id}/leases',
      tag: 'agreements',
      summary: 'VM yang dicakup perjanjian dan tahap sewanya / the VMs an agreement covers and their lease',
      access: 'user',
      params: ZIdParam,
      response: ZAgreementLeases,
    },
    async ({ auth, params }) => {
      const agreement = await findAgreementMeta(db, params.id);
      if (!agreement || !canSeeInstitution(actorOf(auth), agreement.institutionId)) throw new AppError(ErrorCode.NotFound);
      return { items: await listAgreementLeases(db, agreement.id) };
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vms/{id}/lease',
      tag: 'vms',
      summary: 'Tahap sewa VM / a VM’s lease',
      access: 'user',
      params: ZIdParam,
      response: ZVmLease,
    },
    async ({ auth, params }) => visibleLease(db, auth, params.id),
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/lease/extend',
      tag: 'vms',
      summary: 'Perpanjang masa tenggang / extend the grace period',
      access: OPERATORS,
      scope: 'operate',
      params: ZIdParam,
      body: ZLeaseExtendBody,
      response: ZVmLease,
    },
    async ({ req, res, auth, params, body }) => {
      await db.transaction().execute((tx) => extendLease(tx, actorOf(auth), params.id, body.until, auditContext(req, res)));
      return visibleLease(db, auth, params.id);
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/lease/restart',
      tag: 'vms',
      summary: 'Nyalakan lagi VM yang dimatikan karena sewa / restart a VM its lease stopped',
      access: OPERATORS,
      scope: 'operate',
      params: ZIdParam,
      response: ZQueuedRun,
      status: 202,
    },
    async ({ req, res, auth, params }) =>
      db.transaction().execute((tx) => restartLeasedVm(tx, actorOf(auth), params.id, auditContext(req, res))),
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/lease/cancel-destruction',
      tag: 'vms',
      summary: 'Batalkan penghapusan VM karena sewa / cancel the lease destruction of a VM',
      access: OPERATORS,
      scope: 'operate',
      params: ZIdParam,
      response: ZVmLease,
    },
    async ({ req, res, auth, params }) => {
      await db.transaction().execute((tx) => cancelLeaseDestruction(tx, actorOf(auth), params.id, auditContext(req, res)));
      return visibleLease(db, auth, params.id);
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/settings/lease-policy',
      tag: 'settings',
      summary: 'Pengaturan / setting: lease-policy',
      access: 'user',
      response: ZLeasePolicy,
    },
    async () => getLeasePolicy(db),
  );

  route(
    router,
    registry,
    {
      method: 'put',
      path: '/settings/lease-policy',
      tag: 'settings',
      summary: 'Ubah kebijakan sewa VM (admin) / change the lease policy (admins)',
      access: [Role.Admin],
      scope: 'admin',
      body: ZLeasePolicy,
      response: ZLeasePolicy,
    },
    async ({ req, res, auth, body }) =>
      db.transaction().execute(async (tx) => {
        const before = await getLeasePolicy(tx);
        await putSetting(tx, 'lease_grace_days', body.graceDays, auth.user.id);
        await putSetting(tx, 'lease_destroy_days', body.destroyAfterDays, auth.user.id);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: null,
          action: 'settings.updated',
          targetType: 'setting',
          targetId: 'lease_policy',
          before,
          after: body,
        });
        return body;
      }),
  );
}
