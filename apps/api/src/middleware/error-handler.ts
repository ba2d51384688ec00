import { AppError, ErrorCode, defaultMessage, type Locale, type LocalizedText } from '@betang/core';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { locals } from '../http/context';
import { ERROR_STATUS } from './error-status';

type BodyParserError = Error & { type?: string; status?: number; expose?: boolean };

function fromBodyParser(error: BodyParserError): AppError | undefined {
  if (error.type === 'entity.too.large') return new AppError(ErrorCode.PayloadTooLarge);
  if (error.type === 'entity.parse.failed')
    return new AppError(
      ErrorCode.ValidationFailed,
      { id: 'Badan permintaan bukan JSON yang valid.', en: 'The request body is not valid JSON.' },
      [{ path: 'body', message: 'JSON', code: 'invalid_json' }],
    );
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported')
    return new AppError(ErrorCode.ValidationFailed, { id: 'Pengodean tidak didukung.', en: 'Unsupported encoding.' });
  // Any other client error the body readers raise (e.g. a corrupt gzip body: zlib's Z_DATA_ERROR
  // with status 400) is the client's fault, not a 500 (found by the fuzz tests).
  if (error.expose === true && typeof error.status === 'number' && error.status >= 400 && error.status < 500)
    return new AppError(
      ErrorCode.ValidationFailed,
      { id: 'Badan permintaan tidak dapat dibaca.', en: 'The request body could not be read.' },
      [{ path: 'body', message: 'unreadable', code: 'unreadable_body' }],
    );
  return undefined;
}

/** The Retry-After seconds a 429 or 503 carries in `details.retryAfterSeconds` (rate limits, locked accounts, busy verification). */
function retryAfterOf(error: AppError): number | undefined {
  if (error.code !== ErrorCode.RateLimited && error.code !== ErrorCode.ServiceUnavailable) return undefined;
  const details = error.details as { retryAfterSeconds?: unknown } | undefined;
  return typeof details?.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined;
}

const isLocalized = (value: unknown): value is LocalizedText =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as LocalizedText).id === 'string' &&
  typeof (value as LocalizedText).en === 'string';

/**
 * Field issues may carry their message in both languages (`{path, message: {id, en}}`); the
 * response carries it in the caller's language only, like the error's own message.
 */
function detailsIn(details: unknown, locale: Locale): unknown {
  if (!Array.isArray(details)) return details;
  return details.map((item: unknown) =>
    typeof item === 'object' && item !== null && isLocalized((item as { message?: unknown }).message)
      ? { ...item, message: (item as { message: LocalizedText }).message[locale] }
      : item,
  );
}

/**
 * The one error middleware: known codes → their status and `{error: {code, message, details}}`
 * in the caller's language (a 429 or 503 also with Retry-After when it knows one); anything else → 500 with a generic
 * message, logged with the request id, never leaking internals.
 */
export const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  const { locale, log, requestId } = locals(res);
  const known = error instanceof AppError ? error : error instanceof Error ? fromBodyParser(error as BodyParserError) : undefined;
  const appError = known ?? new AppError(ErrorCode.Internal);
  const status = ERROR_STATUS[appError.code];
  if (status >= 500) log.error({ err: error }, 'request failed');
  if (res.headersSent) return;
  const retryAfter = retryAfterOf(appError);
  if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter));
  res.status(status).json({
    error: {
      code: appError.code,
      message: appError.messageIn(locale ?? 'id'),
      ...(appError.details !== undefined ? { details: detailsIn(appError.details, locale ?? 'id') } : {}),
      requestId,
    },
  });
};

/** 404 for any path no route matched, in the error shape. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  const { locale, requestId } = locals(res);
  res.status(404).json({ error: { code: ErrorCode.NotFound, message: defaultMessage(ErrorCode.NotFound)[locale ?? 'id'], requestId } });
};
