import { AppError, contractErrorMap, ErrorCode, type Locale } from '@betang/core';
import { z } from 'zod';

// The contracts' own texts in the caller's language; zod's own issue kinds in zod's wording of it.
const LOCALE_ERRORS = {
  id: contractErrorMap('id', z.locales.id().localeError),
  en: contractErrorMap('en', z.locales.en().localeError),
};

/** A failing field: where (`body.contact.nip`) and why, in the caller's language. */
export type FieldIssue = { path: string; message: string; code: string };

/**
 * Parses `input` with `schema`, with zod's messages in the caller's language.
 * Guarantees: returns the parsed value or throws AppError(VALIDATION_FAILED) listing every
 * failing field path prefixed by `where` (body, query, params).
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, where: string, locale: Locale): z.infer<T> {
  const result = schema.safeParse(input, { error: LOCALE_ERRORS[locale] });
  if (result.success) return result.data;
  const details: FieldIssue[] = result.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = [where, ...issue.path.map(String), ...(keys.length === 1 ? keys : [])].join('.');
    return { path, message: issue.message, code: issue.code };
  });
  throw new AppError(ErrorCode.ValidationFailed, undefined, details);
}
