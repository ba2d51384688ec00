import { ErrorCode } from '@betang/core';

/** The HTTP status of each error code: the one place the domain's codes meet HTTP. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.InvalidCredentials]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.CsrfTokenInvalid]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.InvalidState]: 409,
  [ErrorCode.NoAgreementInForce]: 422,
  [ErrorCode.QuotaExceeded]: 422,
  [ErrorCode.DocumentRejected]: 422,
  [ErrorCode.PreconditionFailed]: 422,
  [ErrorCode.PicNotEligible]: 422,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.NoAddressAvailable]: 409,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.TotpEnrolmentRequired]: 403,
  [ErrorCode.TokenScopeMissing]: 403,
  [ErrorCode.PveUnavailable]: 503,
  [ErrorCode.ServiceUnavailable]: 503,
  [ErrorCode.Internal]: 500,
};
