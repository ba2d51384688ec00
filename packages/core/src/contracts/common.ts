import { z } from 'zod';
import { CONTRACT_MESSAGES, worded, wordedPattern } from './messages';

/** Error body every failing response carries: `{error: {code, message, details?}}`. */
export const ZErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});

/** `?limit=&cursor=` paging query. */
export const ZPageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/** A page of items: `{items, nextCursor}`. */
export function zPage<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** A UUID path parameter. */
export const ZIdParam = z.strictObject({ id: z.uuid() });

/**
 * Indonesian civil-servant number: 18 digits. People write it grouped with spaces
 * (`19870315 201001 1 002`, see formatNip); the spaces are dropped, so what passes is always the
 * bare 18 digits. The pattern describes what may be sent (digits and whitespace are disjoint, so
 * it matches in linear time).
 */
export const ZNip = z
  .string()
  .regex(wordedPattern(/^\s*(?:\d\s*){18}$/, CONTRACT_MESSAGES.nip))
  .overwrite((value) => value.replace(/\s/g, ''));

// One line of text: no C0 or C1 control character or DEL (so no NUL, tab or line break), no
// format character (bidi overrides, zero-width characters, BOM: they disguise what is shown), no
// line or paragraph separator, no unpaired surrogate (with the u flag a surrogate range matches
// only an unpaired one). PostgreSQL refuses NUL in text, so letting one through is a 500.
const NOT_IN_LINE = /[\p{Cc}\p{Cf}\u2028\u2029\ud800-\udfff]/u;
// A paragraph may hold tabs and line breaks (CR, LF), and format characters (emoji sequences
// join with U+200D); every other control character and unpaired surrogates are refused.
// eslint-disable-next-line no-control-regex
const NOT_IN_PARAGRAPH = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff]/u;

/** The control-character rule as a fragment of a sentence (the CSV import writes "The cell …"). */
export const TEXT_CONTROL_CHARACTER_MESSAGES = {
  line: {
    id: 'tidak boleh berisi karakter kontrol (misalnya NUL, tab, baris baru)',
    en: 'must not contain control characters (such as NUL, tab, line breaks)',
  },
  paragraph: {
    id: 'tidak boleh berisi karakter kontrol selain tab dan baris baru (misalnya NUL)',
    en: 'must not contain control characters other than tab and line breaks (such as NUL)',
  },
} as const;

/** The `params.textError` a control-character issue carries, for callers that word it themselves (CSV import). */
export const TEXT_CONTROL_CHARACTERS = 'control_characters';

/** True when `value` holds a character free text may not: see zText. */
export function hasForbiddenTextCharacters(value: string, multiline = false): boolean {
  return (multiline ? NOT_IN_PARAGRAPH : NOT_IN_LINE).test(value);
}

/**
 * The one rule for free text a person types (names, reasons, comments, descriptions): trimmed,
 * at least `min` and at most `max` characters, and free of control characters — a single line
 * refuses them all, `multiline` text keeps tab, CR and LF. Guarantees that what passes can be
 * stored in PostgreSQL and shown without hidden characters; the check is one linear scan.
 */
export function zText({ max, min = 0, multiline = false }: { max: number; min?: number; multiline?: boolean }) {
  const text = multiline ? CONTRACT_MESSAGES.paragraphControlCharacters : CONTRACT_MESSAGES.lineControlCharacters;
  const bounded = min > 0 ? z.string().trim().min(min).max(max) : z.string().trim().max(max);
  return bounded.refine(
    (value) => !hasForbiddenTextCharacters(value, multiline),
    worded(text, { textError: TEXT_CONTROL_CHARACTERS, multiline }),
  );
}

/** A person's or organisation's display name: one line, trimmed, 1–200 characters, no control characters. */
export const ZDisplayName = zText({ min: 1, max: 200 });

/** An e-mail address, stored lower-case. */
export const ZEmail = z
  .email()
  .max(254)
  .transform((s) => s.toLowerCase());

/** Phone or WhatsApp number: digits with optional leading +, spaces and dashes. */
export const ZPhone = z
  .string()
  .trim()
  .regex(wordedPattern(/^\+?[0-9][0-9 -]{5,20}$/, CONTRACT_MESSAGES.phone));
