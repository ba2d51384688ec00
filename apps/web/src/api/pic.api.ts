import { ZAssignPicAnswer, ZPicCandidates, ZPicReport, ZPicVmList, ZUser, type AssignPicBody } from '@betang/core';
import type { ApiClient } from './http-client';

const base = (institutionId: string) => `/institutions/${encodeURIComponent(institutionId)}/pic`;

/** GET /institutions/:id/pic: the institution's live VMs with their PIC (`needed`: only those needing a new one). */
export const listInstitutionPic = (api: ApiClient, institutionId: string, needed = false) =>
  api.request('GET', `${base(institutionId)}${needed ? '?needed=true' : ''}`, { response: ZPicVmList });
/** GET /institutions/:id/pic/candidates: who may be named PIC. */
export const listPicCandidates = (api: ApiClient, institutionId: string) =>
  api.request('GET', `${base(institutionId)}/candidates`, { response: ZPicCandidates });
/** POST /pic/assignments: one PIC for several VMs, all or nothing. */
export const assignPic = (api: ApiClient, body: AssignPicBody) =>
  api.request('POST', '/pic/assignments', { body, response: ZAssignPicAnswer });
/** GET /reports/pic: VMs without a PIC and VMs whose agreement has no successor. */
export const getPicReport = (api: ApiClient) => api.request('GET', '/reports/pic', { response: ZPicReport });
/** POST /users/:id/institution (admins): moves an institution user to another institution. */
export const moveUser = (api: ApiClient, userId: string, institutionId: string) =>
  api.request('POST', `/users/${encodeURIComponent(userId)}/institution`, { body: { institutionId }, response: ZUser });
