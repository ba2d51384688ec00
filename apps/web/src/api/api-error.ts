/** A failing field as the API reports it in `error.details`: `body.email`, `query.limit`… */
export type FieldIssue = { path: string; message: string; code?: string };

/** Codes the client itself produces when no API answer could be read. */
export const CLIENT_ERROR = { Network: 'NETWORK_ERROR', BadResponse: 'BAD_RESPONSE' } as const;

/**
 * An API failure in the `{error: {code, message, details}}` shape (or a client-side failure with
 * one of CLIENT_ERROR's codes). `message` is already in the language the request asked for.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
    readonly requestId: string | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The field issues of a validation failure (empty for other errors). */
  get fieldIssues(): FieldIssue[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(
      (item): item is FieldIssue =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as FieldIssue).path === 'string' &&
        typeof (item as FieldIssue).message === 'string',
    );
  }
}

/**
 * Maps field issues to form inputs: `body.contact.nip` → `contact.nip`. The first message per
 * field wins. Issues outside the body (query, params) are left to the form-level alert.
 */
export function fieldErrorsOf(issues: readonly FieldIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    if (!issue.path.startsWith('body.')) continue;
    const field = issue.path.slice('body.'.length);
    errors[field] ??= issue.message;
  }
  return errors;
}
