import { contractIssueText } from '@betang/core';
import { z } from 'zod';
import { currentLocale, i18n, type MessageKey } from './i18n';

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
 * The one zod error map of the web app: every message is in the current language — a contract's
 * own text (CONTRACT_MESSAGES and domain rules, carried bilingual) in the chosen language, zod's
 * issue kinds from the i18n catalogue (keys `zod.*`) — so a form's own check and the rest of the
 * screen always speak the same language.
 */
export function zodErrorMessage(issue: Issue): string {
  const own = contractIssueText(issue);
  if (own) return own[currentLocale()];
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
