import { listAwaitingDecommissions, picProblemSql, publicEndpointsOfVms } from '@betang/db';
import {
  AppError,
  ErrorCode,
  INSTITUTION_ROLES,
  Role,
  ZDecommissionAnswer,
  ZDecommissionBody,
  ZDecommissionDecisionBody,
  ZIdParam,
  ZQueuedRun,
  ZResizeAnswer,
  ZRestoreAnswer,
  ZResizeBody,
  ZReplaceSshKeysBody,
  ZSetConsolePasswordBody,
  ZConsolePasswordAnswer,
  ZVm,
  ZVmActionBody,
  ZVmList,
  ZVmListQuery,
  canSeeInstitution,
  isVmState,
  likePattern,
  wibDayBounds,
  type Actor,
  type VmState,
} from '@betang/core';
import { sql } from 'kysely';
import { z } from 'zod';
import { actorOf, auditContext, locals } from '../http/context';
import { decodeCursor, encodeCursor, ZCursorTimestamp } from '../http/cursor';
import { seesOperationalDetail } from '../http/institution-view';
import { route } from '../http/route';
import { listScope } from '../use-cases/application-access';
import { decideVmDecommission, decommissionVm, restoreVm } from '../use-cases/vms/decommission-vm';
import { requestVmAction } from '../use-cases/vms/request-vm-action';
import { resizeVm } from '../use-cases/vms/resize-vm';
import { findVmForKeys, replaceSshKeys } from '../use-cases/vms/replace-ssh-keys';
import { reauthenticate } from '../use-cases/reauthenticate';
import { setConsolePassword } from '../use-cases/vms/set-console-password';
import { assertAcceptablePassword } from '../security/password-policy';
import { RunSecretBox } from '@betang/config';
import type { RoutesContext } from './router-context';

const ZVmCursor = z.object({ createdAt: ZCursorTimestamp, id: z.uuid() });

const ACTORS = [...INSTITUTION_ROLES, Role.Admin, Role.Operator];

/**
 * VMs of the own institution (operators: all), power actions, changes (grow sizes, open ports;
 * through approval), decommission (typed host name; the head's approval for protected classes; a
 * grace period with restore before the VM is destroyed).
 */
export function vmRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  const vmQuery = () =>
    db
      .selectFrom('vms as v')
      .leftJoin('ipAllocations as a', (j) =>
        j.onRef('a.requestId', '=', 'v.requestId').on('a.releasedAt', 'is', null).on('a.isPrimary', '=', true),
      )
      .innerJoin('vpsRequests as r', 'r.id', 'v.requestId')
      .leftJoin('users as u', 'u.id', 'v.picUserId')
      .select([
        'v.id',
        'v.requestId',
        'v.institutionId',
        'v.name',
        'v.node',
        'v.vmid',
        sql<string | null>`host(a.address)`.as('ipAddress'),
        'v.state',
        'v.cores',
        'v.memoryMiB as memoryMiB',
        'v.diskGiB as diskGiB',
        'r.ports',
        'v.createdAt',
        'v.retainedUntil',
        'v.picUserId',
        'u.name as picName',
        picProblemSql.as('picProblem'),
      ]);
  type VmRowView = Awaited<ReturnType<ReturnType<typeof vmQuery>['execute']>>[number];
  // Node names are operators' detail: institution roles get null (as in the request view, docs/security.md §15).
  const toDtos = async (actor: Actor, rows: VmRowView[]) => {
    const endpoints = await publicEndpointsOfVms(
      db,
      rows.map((v) => v.id),
    );
    const pending = new Map(
      (
        await listAwaitingDecommissions(
          db,
          rows.map((v) => v.id),
        )
      ).map((d) => [d.vmId, d]),
    );
    return rows.map(({ picUserId, picName, picProblem, ...v }) => {
      const d = pending.get(v.id);
      const endpoint = endpoints.get(v.id);
      return {
        ...v,
        node: seesOperationalDetail(actor) ? v.node : null,
        createdAt: v.createdAt.toISOString(),
        retainedUntil: v.state === 'retained' ? (v.retainedUntil?.toISOString() ?? null) : null,
        pendingDecommission: d
          ? {
              id: d.id,
              requestedBy: d.requestedBy,
              requestedByName: d.requestedByName,
              reason: d.reason,
              createdAt: d.createdAt.toISOString(),
            }
          : null,
        publicEndpoint: endpoint
          ? {
              mechanism: endpoint.mechanism,
              publicAddress: endpoint.publicAddress,
              ports: endpoint.ports,
              openPorts: endpoint.openPorts,
              probedAt: endpoint.probedAt?.toISOString() ?? null,
            }
          : null,
        pic: picUserId && picName !== null ? { userId: picUserId, name: picName, problem: picProblem } : null,
      };
    });
  };

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vms',
      tag: 'vms',
      summary: 'Daftar VM / VMs',
      access: 'user',
      query: ZVmListQuery,
      response: ZVmList,
    },
    async ({ auth, query }) => {
      const actor = actorOf(auth);
      // Another institution's id answers 404 like every other list (listScope), not an empty page.
      const institutionId = listScope(actor, query.institutionId);
      // Node names are operators' detail: filtering by one would reveal them.
      if (query.node !== undefined && !seesOperationalDetail(actor)) throw new AppError(ErrorCode.Forbidden);
      // The cursor is checked first: a bad one is refused even when the filters match nothing.
      const after = decodeCursor(ZVmCursor, query.cursor);
      // A state that does not exist matches no VM.
      if (query.state && !isVmState(query.state)) return { items: [], nextCursor: null };
      const { since, before } = wibDayBounds(query);
      let q = vmQuery()
        .where('v.state', '<>', 'decommissioned')
        .orderBy('v.createdAt', 'desc')
        .orderBy('v.id', 'desc')
        .limit(query.limit + 1);
      if (institutionId) q = q.where('v.institutionId', '=', institutionId);
      if (query.state) q = q.where('v.state', '=', query.state as VmState);
      if (query.node) q = q.where('v.node', '=', query.node);
      if (query.vmid !== undefined) q = q.where('v.vmid', '=', query.vmid);
      if (query.pic === 'needed') q = q.where(sql<boolean>`(${picProblemSql}) IS NOT NULL`);
      if (since) q = q.where('v.createdAt', '>=', since);
      if (before) q = q.where('v.createdAt', '<', before);
      if (query.hostname) q = q.where('v.name', 'ilike', likePattern(query.hostname));
      if (query.address) q = q.where(sql<string>`host(a.address)`, 'ilike', likePattern(query.address));
      if (query.q) {
        const text = likePattern(query.q);
        const vmid = query.q;
        // An uncorrelated set of matching VM ids: PostgreSQL builds it once with hash joins over
        // the few columns it needs, and the page walk only probes it. Filtering the page walk's
        // own joined rows instead costs an index lookup per VM for every VM walked, since a rare
        // match means walking nearly all of them (docs/find.md).
        q = q.where('v.id', 'in', (eb) =>
          eb
            .selectFrom('vms as sv')
            .innerJoin('vpsRequests as sr', 'sr.id', 'sv.requestId')
            .leftJoin('ipAllocations as sa', (j) => j.onRef('sa.requestId', '=', 'sv.requestId').on('sa.releasedAt', 'is', null))
            .select('sv.id')
            .where((w) =>
              w.or([
                w('sv.name', 'ilike', text),
                w(sql<string>`host(sa.address)`, 'ilike', text),
                w(sql<string>`sv.vmid::text`, '=', vmid),
                w('sr.applicationId', 'in', w.selectFrom('applications as app').select('app.id').where('app.name', 'ilike', text)),
              ]),
            ),
        );
      }
      if (after) {
        const at = new Date(after.createdAt);
        q = q.where((eb) => eb.or([eb('v.createdAt', '<', at), eb.and([eb('v.createdAt', '=', at), eb('v.id', '<', after.id)])]));
      }
      const rows = await q.execute();
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: await toDtos(actor, page),
        nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
      };
    },
  );

  route(
    router,
    registry,
    { method: 'get', path: '/vms/{id}', tag: 'vms', summary: 'Detail VM / a VM', access: 'user', params: ZIdParam, response: ZVm },
    async ({ auth, params }) => {
      const vm = await vmQuery().where('v.id', '=', params.id).executeTakeFirst();
      if (!vm || !canSeeInstitution(actorOf(auth), vm.institutionId)) throw new AppError(ErrorCode.NotFound);
      const [dto] = await toDtos(actorOf(auth), [vm]);
      if (!dto) throw new AppError(ErrorCode.NotFound);
      return dto;
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/actions',
      tag: 'vms',
      summary: 'Nyalakan, matikan, mulai ulang / power actions',
      access: ACTORS,
      params: ZIdParam,
      body: ZVmActionBody,
      response: ZQueuedRun,
      status: 202,
    },
    async ({ req, res, auth, params, body }) =>
      db.transaction().execute((tx) => requestVmAction(tx, actorOf(auth), params.id, body.action, {}, auditContext(req, res))),
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/resize',
      tag: 'vms',
      summary: 'Ubah ukuran / port VM lewat persetujuan / change a VM’s size or ports through approval',
      access: ACTORS,
      params: ZIdParam,
      body: ZResizeBody,
      response: ZResizeAnswer,
      status: 202,
    },
    async ({ req, res, auth, params, body }) =>
      db.transaction().execute((tx) => resizeVm(tx, actorOf(auth), params.id, body, auditContext(req, res))),
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/decommission',
      tag: 'vms',
      summary: 'Hapus VM: hentikan, tahan selama masa tenggang, lalu hapus / decommission: stop, retain for the grace period, then destroy',
      access: ACTORS,
      params: ZIdParam,
      body: ZDecommissionBody,
      response: ZDecommissionAnswer,
      status: 202,
    },
    async ({ req, res, auth, params, body }) =>
      db.transaction().execute((tx) => decommissionVm(tx, actorOf(auth), params.id, body, auditContext(req, res))),
  );
  for (const decision of ['approve', 'reject'] as const) {
    route(
      router,
      registry,
      {
        method: 'post',
        path: `/vms/{id}/decommission/${decision}`,
        tag: 'vms',
        summary:
          decision === 'approve'
            ? 'Setujui penghapusan VM (kepala perangkat daerah) / approve a decommission (institution head)'
            : 'Tolak atau tarik penghapusan VM / reject or withdraw a decommission',
        access: INSTITUTION_ROLES,
        params: ZIdParam,
        body: ZDecommissionDecisionBody,
        response: ZDecommissionAnswer,
        status: 202,
      },
      async ({ req, res, auth, params, body }) =>
        db.transaction().execute((tx) => decideVmDecommission(tx, actorOf(auth), params.id, decision, body.note, auditContext(req, res))),
    );
  }
  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/restore',
      tag: 'vms',
      summary: 'Pulihkan VM dalam masa tenggang / restore a VM within its grace period',
      access: ACTORS,
      params: ZIdParam,
      body: z.strictObject({}),
      response: ZRestoreAnswer,
      status: 202,
    },
    async ({ req, res, auth, params }) => db.transaction().execute((tx) => restoreVm(tx, actorOf(auth), params.id, auditContext(req, res))),
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/ssh-keys',
      tag: 'vms',
      summary: 'Ganti kunci SSH pengguna admin lewat agen tamu / replace the admin user’s SSH keys through the guest agent',
      access: ACTORS,
      // A stolen API token must not be able to put its owner's key into a VM.
      scope: 'session-only',
      params: ZIdParam,
      body: ZReplaceSshKeysBody,
      response: ZQueuedRun,
      status: 202,
    },
    async ({ req, res, auth, params, body }) => {
      const actor = actorOf(auth);
      const vm = await findVmForKeys(db, actor, params.id);
      await reauthenticate(db, {
        userId: auth.user.id,
        password: body.password,
        totp: body.totp,
        refusal: {
          id: 'Kata sandi atau kode autentikator salah; kunci SSH tidak diganti.',
          en: 'The password or authenticator code is wrong; the SSH keys were not replaced.',
        },
        action: 'vm.ssh_keys',
        target: { type: 'vm', id: vm.id, institutionId: vm.institutionId },
        audit: auditContext(req, res),
        masterSecret: deps.config.SIGNING_MASTER_SECRET,
        passwordDisabledRoles: deps.config.OIDC_PASSWORD_DISABLED_ROLES,
        logger: locals(res).log,
      });
      return db.transaction().execute((tx) => replaceSshKeys(tx, actor, params.id, body.sshPublicKeys, auditContext(req, res)));
    },
  );

  const runSecrets = new RunSecretBox(deps.config.SIGNING_MASTER_SECRET);
  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/console-password',
      tag: 'vms',
      summary: 'Atur sandi konsol pengguna admin lewat agen tamu / set the admin user’s console password through the guest agent',
      access: ACTORS,
      // A stolen API token must not be able to open a login into the VM.
      scope: 'session-only',
      params: ZIdParam,
      body: ZSetConsolePasswordBody,
      response: ZConsolePasswordAnswer,
      status: 202,
    },
    async ({ req, res, auth, params, body }) => {
      const actor = actorOf(auth);
      const vm = await findVmForKeys(db, actor, params.id);
      // Judged before re-authentication: a weak choice should not cost a sign-in attempt.
      assertAcceptablePassword(body.consolePassword, auth.user, 'body.consolePassword');
      await reauthenticate(db, {
        userId: auth.user.id,
        password: body.password,
        totp: body.totp,
        refusal: {
          id: 'Kata sandi atau kode autentikator salah; sandi konsol tidak diatur.',
          en: 'The password or authenticator code is wrong; the console password was not set.',
        },
        action: 'vm.console_password',
        target: { type: 'vm', id: vm.id, institutionId: vm.institutionId },
        audit: auditContext(req, res),
        masterSecret: deps.config.SIGNING_MASTER_SECRET,
        passwordDisabledRoles: deps.config.OIDC_PASSWORD_DISABLED_ROLES,
        logger: locals(res).log,
      });
      return db
        .transaction()
        .execute((tx) => setConsolePassword(tx, actor, params.id, body.consolePassword, runSecrets, auditContext(req, res)));
    },
  );
}
