import { ZErrorBody, ZMeResponse, ZVerificationResult, type Locale } from '@betang/core';
import type { z } from 'zod';
import { ApiError, CLIENT_ERROR } from './api-error';
import type { ApiClient } from './http-client';

/** Options of a raw (non-JSON) upload. */
type RawUpload<S extends z.ZodType> = {
  path: string;
  body: Blob | string;
  contentType: string;
  locale: Locale;
  response: S;
  signedIn: boolean;
};

/**
 * POSTs a file body (PDF, CSV) that ApiClient's JSON requests cannot carry. Signed-in callers
 * first read the CSRF token from GET /me through the ApiClient; answers and errors are read
 * exactly like ApiClient does (contract schema, ApiError with details).
 */
export async function uploadRaw<S extends z.ZodType>(api: ApiClient, upload: RawUpload<S>): Promise<z.output<S>> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': upload.locale,
    'Content-Type': upload.contentType,
  };
  if (upload.signedIn) {
    const me = await api.request('GET', '/me', { response: ZMeResponse });
    if (me.csrfToken) headers['X-CSRF-Token'] = me.csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(`/api/v1${upload.path}`, { method: 'POST', headers, credentials: 'same-origin', body: upload.body });
  } catch (error) {
    throw new ApiError(0, CLIENT_ERROR.Network, String(error), undefined, null);
  }
  const requestId = response.headers.get('x-request-id');
  const json: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = ZErrorBody.safeParse(json);
    if (!parsed.success) throw new ApiError(response.status, CLIENT_ERROR.BadResponse, response.statusText, undefined, requestId);
    throw new ApiError(
      response.status,
      parsed.data.error.code,
      parsed.data.error.message,
      parsed.data.error.details,
      parsed.data.error.requestId ?? requestId,
    );
  }
  const parsed = upload.response.safeParse(json);
  if (!parsed.success) throw new ApiError(response.status, CLIENT_ERROR.BadResponse, parsed.error.message, undefined, requestId);
  return parsed.data;
}

/** POST /verify: is this PDF a genuine, fully signed, unrevoked Betang agreement? (no login needed) */
export const verifyPdf = (api: ApiClient, file: Blob, locale: Locale, signedIn: boolean) =>
  uploadRaw(api, { path: '/verify', body: file, contentType: 'application/pdf', locale, response: ZVerificationResult, signedIn });

/** GET /verify/:code: the recorded status of the agreement whose QR code carries `code`. */
export const verifyCode = (api: ApiClient, code: string) =>
  api.request('GET', `/verify/${encodeURIComponent(code)}`, { response: ZVerificationResult });
