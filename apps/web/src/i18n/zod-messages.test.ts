import * as core from '@betang/core';
import { z } from 'zod';
import * as forms from '../forms/form-schemas';
import { setLocale } from './i18n';
import { installZodErrorMap, zodErrorMessage } from './zod-error-map';

type Schema = z.ZodType;
type Def = { type: string } & Record<string, unknown>;

const def = (schema: Schema): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const isSchema = (value: unknown): value is Schema => value instanceof z.ZodType;

/**
 * Every zod schema @betang/core exports (the contracts the forms check before sending, and more)
 * and every schema of the web's own forms (forms/form-schemas.ts; form-schemas.test.ts keeps
 * them out of the .tsx files).
 */
const SCHEMAS: [string, Schema][] = [
  ...Object.entries(core as Record<string, unknown>),
  ...Object.entries(forms as Record<string, unknown>).map(([name, schema]): [string, unknown] => [`web:${name}`, schema]),
].filter((entry): entry is [string, Schema] => isSchema(entry[1]));

const STRINGS = ['', ' ', 'x', 'x'.repeat(10_001), 'a\u0000b', 'a\nb', 'A b', '1'.repeat(17), '12345 67890', 'Ä'];
const NUMBERS = [-1, 0, 1.5, 1e15, Number.NaN, 1023];
const ODD = [null, true, {}, [], 'x', 7];

/**
 * Invalid (and some valid) inputs for `schema`, built from its definition: every field of an
 * object alone with each input of its own, wrong types, too short/long/small/large values, bad
 * formats, unknown options and keys. Depth-limited so a nested contract stays small.
 */
function inputs(schema: Schema, depth = 0): unknown[] {
  if (depth > 4) return ODD;
  const d = def(schema);
  const inner = (key: string) => inputs(d[key] as Schema, depth + 1);
  switch (d.type) {
    case 'object': {
      const shape = d.shape as Record<string, Schema>;
      const out: unknown[] = [{}, { unknownField: 1 }, ...ODD];
      for (const [key, field] of Object.entries(shape))
        for (const value of inputs(field, depth + 1).slice(0, 14)) out.push({ [key]: value });
      return out;
    }
    case 'array': {
      const element = inputs(d.element as Schema, depth + 1).slice(0, 8);
      return [[], Array.from({ length: 300 }, () => element[0]), ...element.map((value) => [value, value]), 'x'];
    }
    case 'string':
      return [...STRINGS, 5, null, undefined];
    case 'number':
      return [...NUMBERS, 'x', null, undefined];
    case 'boolean':
      return ['yes', null, undefined];
    case 'enum':
    case 'literal':
      return ['not-an-option', 3, undefined];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return inner('innerType');
    case 'pipe':
      return inner('in');
    case 'union':
      return (d.options as Schema[]).flatMap((option) => inputs(option, depth + 1).slice(0, 8));
    case 'record':
      return [{ x: null }, { '': 'x' }, ...ODD];
    default:
      return [...ODD, undefined];
  }
}

/** Inputs that reach checks the generated ones cannot: object-level rules need an otherwise valid body. */
const RULES: [Schema, unknown][] = [
  [core.ZGuestPorts, [443, 443, 23]],
  [
    core.ZCustomSizeBounds,
    { allowCustom: true, min: { cores: 8, memoryMiB: 2048, diskGiB: 20 }, max: { cores: 2, memoryMiB: 2048, diskGiB: 20 } },
  ],
  [core.ZCreateTokenBody, { name: 'CI', scopes: ['vms:read', 'vms:read'] }],
  [core.ZInstitutionCode, 'ROOT'],
  [core.ZHostname, 'Web_01'],
  [core.ZNip, '1987 0315'],
  [core.ZPhone, 'nomor'],
  [core.zText({ max: 10 }), 'a\tb'],
  [core.zText({ max: 10, multiline: true }), 'a\u0000b'],
];

type Found = { schema: string; input: unknown; message: string; issue: z.core.$ZodIssue };

function issuesOf(name: string, schema: Schema, input: unknown): Found[] {
  const result = schema.safeParse(input, { reportInput: true });
  return (result.error?.issues ?? []).map((issue) => ({ schema: name, input, message: issue.message, issue }));
}

function everyIssue(): Found[] {
  const found: Found[] = [];
  for (const [name, schema] of SCHEMAS) for (const input of inputs(schema)) found.push(...issuesOf(name, schema, input));
  for (const [schema, input] of RULES) found.push(...issuesOf('rule', schema, input));
  return found;
}

const ZOD_OWN = { id: z.locales.id().localeError, en: z.locales.en().localeError };
const ownWords = (locale: 'id' | 'en', issue: z.core.$ZodIssue) => {
  const message = ZOD_OWN[locale](issue as unknown as z.core.$ZodRawIssue);
  return typeof message === 'string' ? message : message?.message;
};

describe('validation messages of every contract schema', () => {
  beforeAll(() => installZodErrorMap());
  afterAll(() => setLocale('id', false));

  let byLocale: Record<'id' | 'en', Found[]>;
  beforeAll(async () => {
    await setLocale('id', false);
    const id = everyIssue();
    await setLocale('en', false);
    const en = everyIssue();
    byLocale = { id, en };
  });

  it('should walk the contracts and meet every kind of issue', () => {
    expect(SCHEMAS.length).toBeGreaterThan(60);
    expect(SCHEMAS.map(([name]) => name)).toEqual(expect.arrayContaining(['web:ZTotpConfirmValues', 'ZDismissFindingBody']));
    const codes = new Set<string>(byLocale.id.map((found) => found.issue.code));
    for (const code of [
      'invalid_type',
      'too_small',
      'too_big',
      'invalid_format',
      'invalid_value',
      'unrecognized_keys',
      'custom',
      'invalid_union',
    ])
      expect([code, codes.has(code)]).toEqual([code, true]);
    expect(byLocale.id.length).toBe(byLocale.en.length);
  });

  it.each(['id', 'en'] as const)('should word every issue from the catalogue or the contract texts in %s only', async (locale) => {
    await setLocale(locale, false);
    const bad = byLocale[locale].filter(({ issue, message }) => {
      if (message !== zodErrorMessage(issue as unknown as z.core.$ZodRawIssue)) return true; // written into the schema, not worded by the map
      if (message === ownWords(locale, issue) || message === ownWords(locale === 'id' ? 'en' : 'id', issue)) return true; // zod's own words
      if (/ \/ /.test(message) || message === 'Invalid input') return true; // two languages joined, or no wording at all
      return issue.code === 'custom' && core.contractIssueText(issue) === undefined; // a rule without its own text
    });
    expect([...new Set(bad.map(({ schema, issue, message }) => `${schema} ${issue.code}: ${message}`))]).toEqual([]);
  });

  it('should give each issue different words in the two languages', () => {
    const differ = byLocale.id.filter((found, index) => found.message === byLocale.en[index]?.message);
    expect([...new Set(differ.map(({ schema, message }) => `${schema}: ${message}`))]).toEqual([]);
  });

  it('should word a contract rule in the chosen language', async () => {
    await setLocale('id', false);
    expect(core.ZGuestPorts.safeParse([443, 443]).error?.issues[0]?.message).toBe(core.CONTRACT_MESSAGES.duplicatePort.id);
    await setLocale('en', false);
    expect(core.ZNip.safeParse('12345').error?.issues[0]?.message).toBe(core.CONTRACT_MESSAGES.nip.en);
  });
});

describe('CONTRACT_MESSAGES', () => {
  it('should have a different, non-empty text in each language', () => {
    for (const [key, text] of Object.entries(core.CONTRACT_MESSAGES as Record<string, core.LocalizedText>)) {
      expect([key, text.id.trim().length > 0 && text.en.trim().length > 0 && text.id !== text.en]).toEqual([key, true]);
    }
  });
});
