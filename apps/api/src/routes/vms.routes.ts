import { AppError, ErrorCode, INSTITUTION_ROLES, Role, ZDecommissionBody, ZIdParam, ZQueuedRun, ZResizeAnswer, ZResizeBody, ZVm, ZVmActionBody, ZVmList, canSeeInstitution, isVmState, zText, type Actor } from '@betang/core';
import { sql } from 'kysely';
import { z } from 'zod';
import { actorOf, auditContext } from '../http/context';
import { seesOperationalDetail } from '../http/institution-view';
import { route } from '../http/route';
import { listScope } from '../use-cases/application-access';
import { requestVmAction } from '../use-cases/vms/request-vm-action';
import { resizeVm } from '../use-cases/vms/resize-vm';
import type { RoutesContext } from './router-context';

const ACTORS = [...INSTITUTION_ROLES, Role.Admin, Role.Operator];

/** VMs of the own institution (operators: all), power actions, changes (grow sizes, open ports; through approval), decommission. */
export function vmRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  const vmQuery = () =>
    db
      .selectFrom('vms as v')
      .leftJoin('ipAllocations as a', (j) => j.onRef('a.requestId', '=', 'v.requestId').on('a.releasedAt', 'is', null))
      .innerJoin('vpsRequests as r', 'r.id', 'v.requestId')
      .select([
        'v.id', 'v.requestId', 'v.institutionId', 'v.name', 'v.node', 'v.vmid', sql<string | null>`host(a.address)`.as('ipAddress'), 'v.state',
        'v.cores', 'v.memoryMib as memoryMiB', 'v.diskGib as diskGiB', 'r.ports', 'v.createdAt',
      ]);
  // Node names are operators' detail: institution roles get null (as in the request view, docs/security.md §15).
  const toDto = (actor: Actor, v: Awaited<ReturnType<ReturnType<typeof vmQuery>['execute']>>[number]) => ({ ...v, node: seesOperationalDetail(actor) ? v.node : null, createdAt: v.createdAt.toISOString() });

  route(router, registry, { method: 'get', path: '/vms', tag: 'vms', summary: 'Daftar VM / VMs', access: 'user', query: z.strictObject({ institutionId: z.uuid().optional(), state: zText({ max: 32 }).optional() }), response: ZVmList }, async ({ auth, query }) => {
    // Another institution's id answers 404 like every other list (listScope), not an empty page.
    const institutionId = listScope(actorOf(auth), query.institutionId);
    let q = vmQuery().where('v.state', '<>', 'decommissioned').orderBy('v.createdAt', 'desc').limit(500);
    if (institutionId) q = q.where('v.institutionId', '=', institutionId);
    if (query.state) {
      // A state that does not exist matches no VM.
      if (!isVmState(query.state)) return { items: [] };
      q = q.where('v.state', '=', query.state);
    }
    return { items: (await q.execute()).map((v) => toDto(actorOf(auth), v)) };
  });

  route(router, registry, { method: 'get', path: '/vms/{id}', tag: 'vms', summary: 'Detail VM / a VM', access: 'user', params: ZIdParam, response: ZVm }, async ({ auth, params }) => {
    const vm = await vmQuery().where('v.id', '=', params.id).executeTakeFirst();
    if (!vm || !canSeeInstitution(actorOf(auth), vm.institutionId)) throw new AppError(ErrorCode.NotFound);
    return toDto(actorOf(auth), vm);
  });

  route(router, registry, { method: 'post', path: '/vms/{id}/actions', tag: 'vms', summary: 'Nyalakan, matikan, mulai ulang / power actions', access: ACTORS, params: ZIdParam, body: ZVmActionBody, response: ZQueuedRun, status: 202 }, async ({ req, res, auth, params, body }) =>
    db.transaction().execute((tx) => requestVmAction(tx, actorOf(auth), params.id, body.action, {}, auditContext(req, res))),
  );

  route(
    router,
    registry,
    { method: 'post', path: '/vms/{id}/resize', tag: 'vms', summary: 'Ubah ukuran / port VM lewat persetujuan / change a VM’s size or ports through approval', access: ACTORS, params: ZIdParam, body: ZResizeBody, response: ZResizeAnswer, status: 202 },
    async ({ req, res, auth, params, body }) => db.transaction().execute((tx) => resizeVm(tx, actorOf(auth), params.id, body, auditContext(req, res))),
  );

  route(router, registry, { method: 'post', path: '/vms/{id}/decommission', tag: 'vms', summary: 'Hapus VM dan lepaskan alamat / decommission', access: ACTORS, params: ZIdParam, body: ZDecommissionBody, response: ZQueuedRun, status: 202 }, async ({ req, res, auth, params, body }) =>
    db.transaction().execute((tx) => requestVmAction(tx, actorOf(auth), params.id, 'decommission', { reason: body.reason }, auditContext(req, res))),
  );
}
