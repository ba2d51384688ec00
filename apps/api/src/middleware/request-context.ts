import { randomUUID } from 'node:crypto';
import { pickLocale } from '@betang/core';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives every request an id (a caller's safe X-Request-Id is kept, otherwise a new UUID),
 * echoes it in the X-Request-Id response header, picks the language from Accept-Language and
 * creates a child logger carrying the request id.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.locals.requestId = requestId;
    res.locals.locale = pickLocale(req.get('accept-language'));
    res.locals.log = logger.child({ requestId });
    next();
  };
}
