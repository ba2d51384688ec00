import { useState } from 'react';
import type { z } from 'zod';
import { ApiError, fieldErrorsOf } from '../api/api-error';

export type FieldErrors = Record<string, string>;

/**
 * Checks `values` with a contract schema before sending, so people see the API's own rules at
 * once (in the current language: the app's zod error map). Returns field errors keyed like the
 * API's `body.` paths (without the prefix).
 */
export function validateWith(schema: z.ZodType, values: unknown): FieldErrors {
  const result = schema.safeParse(values);
  if (result.success) return {};
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) errors[issue.path.map(String).join('.')] ??= issue.message;
  return errors;
}

/**
 * Form submission state: runs `action`, keeps field errors (from the API's `details[].path`) apart
 * from the form-level error, and ignores double submits while one is running.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});

  async function submit<T>(action: () => Promise<T>): Promise<T | undefined> {
    if (busy) return undefined;
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    try {
      return await action();
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError) setFieldErrors(fieldErrorsOf(caught.fieldIssues));
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, fieldErrors, setFieldErrors, setError, submit };
}
