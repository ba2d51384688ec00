import { ZAgreement, ZAgreementSummary, zPage, type SignAgreementBody } from '@betang/core';
import type { ApiClient } from './http-client';
import type { CreateAgreementBody } from '@betang/core';

const ZAgreementPage = zPage(ZAgreementSummary);

/** GET /agreements (own institution; data-center roles all), newest first. */
export const listAgreements = (api: ApiClient, status?: string) =>
  api.request('GET', '/agreements', { query: { limit: 50, status }, response: ZAgreementPage });
/**
 * GET /agreements filtered on the server: a status, or the agreements in force ending within
 * `expiringWithinDays` (WIB); `q` is free text (institution, number, listed application).
 */
export const findAgreements = (
  api: ApiClient,
  filter: { status?: string | undefined; expiringWithinDays?: number; q?: string | undefined },
  cursor?: string,
) => api.request('GET', '/agreements', { query: { limit: 50, ...filter, cursor }, response: ZAgreementPage });
/** GET /agreements/:id with signatures, hashes and the consent text. */
export const getAgreement = (api: ApiClient, id: string) =>
  api.request('GET', `/agreements/${encodeURIComponent(id)}`, { response: ZAgreement });
/** POST /agreements/:id/signatures: sign with re-authentication (401 wrong password, 409 out of order or stale hash). */
export const signAgreement = (api: ApiClient, id: string, body: SignAgreementBody) =>
  api.request('POST', `/agreements/${encodeURIComponent(id)}/signatures`, { body, response: ZAgreement });
/** Address of the PDF as it stands (signed revisions included). */
export const agreementDocumentUrl = (id: string) => `/api/v1/agreements/${encodeURIComponent(id)}/document`;

/** POST /agreements (admin, operator): generates the agreement PDF for an institution (term defaults to the fiscal year). */
export const createAgreement = (api: ApiClient, body: CreateAgreementBody) =>
  api.request('POST', '/agreements', { body, response: ZAgreement });
/** Address of the externally signed PDF waiting for an operator's acceptance (204 when none). */
export const pendingDocumentUrl = (id: string) => `/api/v1/agreements/${encodeURIComponent(id)}/signed-document/pending`;
/** POST /agreements/:id/signed-document/accept (operator, admin; not the uploader): the pending PDF with this hash puts the agreement in force. */
export const acceptPendingDocument = (api: ApiClient, id: string, sha256: string) =>
  api.request('POST', `/agreements/${encodeURIComponent(id)}/signed-document/accept`, { body: { sha256 }, response: ZAgreement });
/** DELETE /agreements/:id/signed-document/pending (operator, admin): discards the pending PDF. */
export const discardPendingDocument = (api: ApiClient, id: string) =>
  api.request('DELETE', `/agreements/${encodeURIComponent(id)}/signed-document/pending`, { response: ZAgreement });
