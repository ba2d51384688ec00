import { z } from 'zod';
import { i18n, type MessageKey } from './i18n';

type Issue = Parameters<z.core.$ZodErrorMap>[0];

const text = (key: MessageKey, values?: Record<string, string | number>) => i18n.t(key, { replace: values });

/** Bounds may be numbers, bigints or dates; messages need a number (plural) or a string. */
const bound = (value: unknown): string | number =>
  typeof value === 'number'
    ? value
    : typeof value === 'bigint'
      ? Number(value)
      : value instanceof Date
        ? value.toISOString().slice(0, 10)
        : String(value);

/**
 * The one zod error map of the web app: every message comes from the i18n catalogue (keys
 * `zod.*`) in the current language, so a form's own check and the rest of the screen always speak
 * the same language. A message written into a contract schema still wins over these.
 */
function zodErrorMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined || issue.input === null ? text('zod.required') : text('zod.invalidType');
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return text('zod.required');
      return text(issue.inclusive === false ? 'zod.tooSmallExclusive' : 'zod.tooSmall', {
        origin: issue.origin,
        minimum: bound(issue.minimum),
      });
    case 'too_big':
      return text(issue.inclusive === false ? 'zod.tooBigExclusive' : 'zod.tooBig', {
        origin: issue.origin,
        maximum: bound(issue.maximum),
      });
    case 'invalid_format':
      return text('zod.invalidFormat', { format: issue.format });
    case 'not_multiple_of':
      return text('zod.notMultipleOf', { divisor: bound(issue.divisor) });
    case 'invalid_value':
      return text('zod.invalidValue');
    case 'unrecognized_keys':
      return text('zod.unrecognizedKeys', { keys: issue.keys.join(', ') });
    default:
      return text('zod.invalid');
  }
}

/** Makes `zodErrorMessage` zod's error map for every schema in the app (contracts included). */
export function installZodErrorMap(): void {
  z.config({ localeError: zodErrorMessage });
}
