import {
  AppError,
  DATA_CENTER_ROLES,
  ErrorCode,
  INSTITUTION_ROLES,
  Role,
  ZAssignPicAnswer,
  ZAssignPicBody,
  ZIdParam,
  ZMoveUserBody,
  ZPicCandidates,
  ZPicListQuery,
  ZPicReport,
  ZPicReportQuery,
  ZPicVmList,
  ZUser,
  todayInJakarta,
} from '@betang/core';
import {
  appendAudit,
  findInstitution,
  findUserById,
  listPicCandidates,
  listPicVms,
  listVmsWithoutAgreementSuccessor,
  updateUser,
  type PicVmRow,
} from '@betang/db';
import { z } from 'zod';
import { actorOf, auditContext } from '../http/context';
import { toUserDto } from '../http/dto';
import { route } from '../http/route';
import { visibleInstitution } from '../http/tenancy';
import { assignPic } from '../use-cases/pic/assign-pic';
import { noticePicLoss } from '../use-cases/pic/pic-loss';
import type { RoutesContext } from './router-context';

const ZInstitutionParams = z.strictObject({ id: z.uuid() });
/** Who reads an institution's PIC list: its head, and the data-center roles. */
const PIC_READERS = [Role.InstitutionHead, ...DATA_CENTER_ROLES];

function toPicVm(row: PicVmRow) {
  return {
    id: row.id,
    name: row.name,
    vmid: row.vmid,
    state: row.state,
    institutionId: row.institutionId,
    institutionName: row.institutionName,
    pic: row.picUserId && row.picName && row.picEmail ? { userId: row.picUserId, name: row.picName, email: row.picEmail } : null,
    problem: row.problem,
  };
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The responsible person (PIC) of each VM: an institution's list (all, or those needing a new
 * PIC), the users who may be named, the bulk assignment (heads for their own institution,
 * operators and admins for any), the operators' report (VMs without a PIC, VMs whose agreement has
 * no successor), and the admins' move of a user to another institution.
 */
export function picRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/institutions/{id}/pic',
      tag: 'pic',
      summary: 'Penanggung jawab VM perangkat daerah / the PIC of each VM of an institution',
      access: PIC_READERS,
      params: ZInstitutionParams,
      query: ZPicListQuery,
      response: ZPicVmList,
    },
    async ({ auth, params, query }) => {
      await visibleInstitution(db, actorOf(auth), params.id);
      const rows = await listPicVms(db, { institutionId: params.id, neededOnly: query.needed === 'true' });
      return { items: rows.map(toPicVm) };
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/institutions/{id}/pic/candidates',
      tag: 'pic',
      summary: 'Pengguna yang dapat ditunjuk sebagai penanggung jawab / users who may be named PIC',
      access: [Role.InstitutionHead, Role.Admin, Role.Operator],
      params: ZInstitutionParams,
      response: ZPicCandidates,
    },
    async ({ auth, params }) => {
      await visibleInstitution(db, actorOf(auth), params.id);
      return { items: await listPicCandidates(db, params.id) };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/pic/assignments',
      tag: 'pic',
      summary: 'Tetapkan penanggung jawab untuk beberapa VM / name the PIC of several VMs',
      access: [Role.InstitutionHead, Role.Admin, Role.Operator],
      scope: 'requests:write',
      body: ZAssignPicBody,
      response: ZAssignPicAnswer,
    },
    async ({ req, res, auth, body }) => db.transaction().execute((tx) => assignPic(tx, actorOf(auth), body, auditContext(req, res))),
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/reports/pic',
      tag: 'pic',
      summary:
        'Laporan operator: VM tanpa penanggung jawab dan VM yang perjanjiannya tanpa pengganti / operator report: VMs without a PIC and VMs whose agreement has no successor',
      access: DATA_CENTER_ROLES,
      query: ZPicReportQuery,
      response: ZPicReport,
    },
    async ({ query }) => {
      const endingBy = addDays(todayInJakarta(), query.withinDays);
      const [withoutPic, withoutSuccessor] = await Promise.all([
        listPicVms(db, { neededOnly: true }),
        listVmsWithoutAgreementSuccessor(db, endingBy),
      ]);
      return {
        withoutPic: withoutPic.map(toPicVm),
        withoutSuccessor: withoutSuccessor.map((row) => ({
          id: row.id,
          name: row.name,
          vmid: row.vmid,
          institutionId: row.institutionId,
          institutionName: row.institutionName,
          agreement:
            row.agreementId && row.agreementNumber && row.agreementStatus && row.termEnd
              ? { id: row.agreementId, number: row.agreementNumber, status: row.agreementStatus, termEnd: row.termEnd }
              : null,
        })),
        endingBy,
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/users/{id}/institution',
      tag: 'users',
      summary:
        'Pindahkan pengguna ke perangkat daerah lain (VM yang ia tanggung jawabi perlu penanggung jawab baru) / move a user to another institution (the VMs they are PIC of need a new one)',
      access: [Role.Admin],
      params: ZIdParam,
      body: ZMoveUserBody,
      response: ZUser,
    },
    async ({ req, res, params, body }) => {
      const user = await findUserById(db, params.id);
      if (!user) throw new AppError(ErrorCode.NotFound);
      if (user.institutionId === null || !user.roles.every((role) => INSTITUTION_ROLES.includes(role))) {
        throw new AppError(ErrorCode.InvalidState, {
          id: 'Hanya pengguna perangkat daerah yang dapat dipindahkan ke perangkat daerah lain.',
          en: 'Only institution users can be moved to another institution.',
        });
      }
      if (!(await findInstitution(db, body.institutionId))) throw new AppError(ErrorCode.NotFound);
      // Moving to the same institution is harmless: nothing changes and no VM is flagged.
      return db.transaction().execute(async (tx) => {
        const after = (await updateUser(tx, user.id, { institutionId: body.institutionId }))!;
        const vmsNeedingPic = await noticePicLoss(tx, user.id, user.name);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: user.institutionId,
          action: 'user.moved',
          targetType: 'user',
          targetId: user.id,
          before: { institutionId: user.institutionId },
          after: { institutionId: body.institutionId, vmsNeedingPic },
        });
        return toUserDto(after);
      });
    },
  );
}
