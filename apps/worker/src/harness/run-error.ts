import type { LocalizedText } from '@betang/core';

/**
 * An error a step raises on purpose, with a stable code, a bilingual message that says what
 * failed and what to do, and whether a later retry may help.
 */
export class RunError extends Error {
  constructor(
    readonly code: string,
    readonly text: LocalizedText,
    readonly retryable: boolean,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${text.en}`);
    this.name = 'RunError';
  }
}

/** Convenience for a permanent RunError. */
export function permanent(code: string, text: LocalizedText, details?: Record<string, unknown>): RunError {
  return new RunError(code, text, false, details);
}

/** Convenience for a transient RunError (retried with backoff). */
export function transient(code: string, text: LocalizedText, details?: Record<string, unknown>): RunError {
  return new RunError(code, text, true, details);
}

/** One bilingual string for text columns (status_reason, error_message): Indonesian first. */
export function joinText(t: LocalizedText): string {
  return `${t.id}\n\n${t.en}`;
}
