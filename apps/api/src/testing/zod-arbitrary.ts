import fc from 'fast-check';
import type { z } from 'zod';

/**
 * fast-check arbitraries for fuzzing the API's request schemas: values derived from a zod
 * schema (mostly valid, so handlers run), the same values with one field mutated, and hostile
 * JSON of every kind. Reads zod 4's public `_zod.def` description of a schema; an unknown kind
 * falls back to arbitrary JSON, so a new schema construct weakens a case but never breaks it.
 */

/** Values that real fixtures hold: uuids that exist, field values a generic generator cannot invent. */
export type ValueHints = {
  /** Ids that exist in the database (mixed into every uuid field so handlers find rows). */
  knownIds: readonly string[];
  /** Realistic values per field name (e.g. `sshPublicKeys` element, `templateId`). */
  byField: Readonly<Record<string, fc.Arbitrary<unknown>>>;
};

type Def = {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  format?: string;
  pattern?: RegExp;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  out?: z.ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
  coerce?: boolean;
  catchall?: z.ZodType;
  defaultValue?: unknown;
};
type CheckDef = {
  check: string;
  minimum?: number;
  maximum?: number;
  value?: number | bigint;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
  length?: number;
};

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function checksOf(def: Def): CheckDef[] {
  return (def.checks ?? []).map((c) => c._zod.def);
}

const ISO_DATE = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });

function stringArbitrary(def: Def, field: string | undefined, hints: ValueHints): fc.Arbitrary<string> {
  const checks = checksOf(def);
  let min = 0;
  let max = 64;
  let format = def.format;
  let pattern = def.pattern;
  for (const c of checks) {
    if (c.check === 'min_length' && c.minimum !== undefined) min = c.minimum;
    if (c.check === 'max_length' && c.maximum !== undefined) max = Math.min(c.maximum, Math.max(min, 64));
    if (c.check === 'length_equals' && c.length !== undefined) min = max = c.length;
    if (c.check === 'string_format') {
      format = c.format ?? format;
      pattern = c.pattern ?? pattern;
    }
  }
  const hinted = field ? hints.byField[field] : undefined;
  if (hinted) return hinted as fc.Arbitrary<string>;
  switch (format) {
    case 'uuid':
    case 'guid':
      return hints.knownIds.length > 0 ? fc.oneof(fc.constantFrom(...hints.knownIds), fc.uuid()) : fc.uuid();
    case 'email':
      return fc
        .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,15}$/), fc.constantFrom('kalteng.go.id', 'uji.kalteng.go.id'))
        .map(([l, d]) => `${l}@${d}`);
    case 'datetime':
      return ISO_DATE.map((d) => d.toISOString());
    case 'date':
      return ISO_DATE.map((d) => d.toISOString().slice(0, 10));
    case 'ipv4':
      return fc.ipV4();
    case 'cidrv4':
      return fc.tuple(fc.ipV4(), fc.integer({ min: 8, max: 32 })).map(([ip, bits]) => `${ip}/${bits}`);
    case 'url':
      return fc.webUrl();
    default:
      break;
  }
  if (pattern) return fc.stringMatching(pattern).filter((s) => s.length >= min && s.length <= Math.max(max, min));
  return fc.string({
    minLength: min,
    maxLength: Math.max(min, max),
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789-.,'.split('')),
  });
}

function numberArbitrary(def: Def): fc.Arbitrary<number> {
  let min = -1_000_000;
  let max = 1_000_000;
  let integer = false;
  for (const c of checksOf(def)) {
    if (c.check === 'greater_than' && c.value !== undefined) min = Number(c.value) + (c.inclusive ? 0 : 1);
    if (c.check === 'less_than' && c.value !== undefined) max = Number(c.value) - (c.inclusive ? 0 : 1);
    if (c.check === 'number_format' && c.format && /int/.test(c.format)) integer = true;
  }
  if (min > max) return fc.constant(min);
  // Edges and a few values inside: handlers see the boundaries the schema allows.
  const inside = integer ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof(fc.constantFrom(min, max), inside);
}

/**
 * An arbitrary of values shaped like `schema` — mostly valid inputs, since refinements and
 * transforms (checked in code) are not described by the schema. `field` is the property name
 * the value sits under (for hints).
 */
export function arbitraryFor(schema: z.ZodType, hints: ValueHints, field?: string, depth = 0): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  if (depth > 8) return fc.constant(null);
  switch (def.type) {
    case 'string':
      return stringArbitrary(def, field, hints);
    case 'number':
    case 'int':
      return numberArbitrary(def);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'literal':
      return fc.constantFrom(...(def.values ?? [null]));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries ?? { x: 'x' }));
    case 'optional':
      return fc.option(arbitraryFor(def.innerType!, hints, field, depth + 1), { nil: undefined, freq: 3 });
    case 'nullable':
      return fc.option(arbitraryFor(def.innerType!, hints, field, depth + 1), { nil: null, freq: 4 });
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return fc.option(arbitraryFor(def.innerType!, hints, field, depth + 1), { nil: undefined, freq: 3 });
    case 'pipe':
      // A transform's input is what the client sends.
      return defOf(def.in!).type === 'transform'
        ? arbitraryFor(def.out!, hints, field, depth + 1)
        : arbitraryFor(def.in!, hints, field, depth + 1);
    case 'array': {
      const checks = checksOf(def);
      const minLength = checks.find((c) => c.check === 'min_length')?.minimum ?? 0;
      const maxLength = Math.min(checks.find((c) => c.check === 'max_length')?.maximum ?? 5, Math.max(minLength, 5));
      return fc.array(arbitraryFor(def.element!, hints, field, depth + 1), { minLength, maxLength });
    }
    case 'union':
      return fc.oneof(...(def.options ?? []).map((o) => arbitraryFor(o, hints, field, depth + 1)));
    case 'object': {
      const shape = def.shape ?? {};
      const entries = Object.fromEntries(Object.entries(shape).map(([key, s]) => [key, arbitraryFor(s, hints, key, depth + 1)]));
      return fc.record(entries).map((record) => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)));
    }
    case 'record':
      return fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const SQLISH = ["' OR '1'='1", "'; DROP TABLE users; --", '1; SELECT pg_sleep(5)', '" OR ""="', "admin'--", '%', '_', '\\', "\\'; --"];
const SHELL = ['$(rm -rf /)', '`id`', '; cat /etc/passwd', '| nc 127.0.0.1 1', '&& reboot', '${IFS}', '\n/bin/sh'];
const UNICODE = [
  '\u0000',
  'a\u0000b',
  '\u202Eevil\u202C',
  '\u200B',
  '\uFEFF',
  '\uD800',
  '𝓑𝓮𝓽𝓪𝓷𝓰',
  'Zalgơ̸̢̠',
  'ﷺ',
  '\r\n\r\nX-Injected: 1',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00',
  '{{7*7}}',
];
const NUMERIC_STRINGS = ['NaN', 'Infinity', '-Infinity', '1e309', '-0', '0x10', '9007199254740993', '1e-400', ' 1 ', '+1', '١٢٣'];
const NUMBERS = [
  0,
  -0,
  -1,
  1,
  0.5,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 53,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER - 2,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  4294967296,
  65536,
];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

/** Strings chosen to break parsers, SQL, shells, logs and renderers. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SQLISH, ...SHELL, ...UNICODE, ...NUMERIC_STRINGS, '', ' ', 'null', 'undefined', 'true', '[]', '{}'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer({ min: 1_000, max: 120_000 }).map((n) => 'x'.repeat(n)),
);

/** Numbers at and beyond every edge a schema or a database column has. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(...NUMBERS), fc.double(), fc.integer());

/** An object whose keys try prototype pollution, with JSON-parsed (own-property) `__proto__`. */
export const pollutingObject: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(...POLLUTION_KEYS), fc.jsonValue({ maxDepth: 2 }))
  .map(
    ([key, value]) =>
      JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value ?? null)}, "isAdmin": true, "polluted": "yes"}`) as unknown,
  );

function nested(depth: number): unknown {
  let value: unknown = 'dasar';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

/** Any JSON-ish value a hostile client might send, including wrong types and deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc
    .anything({ maxDepth: 2, withNullPrototype: true, withObjectString: true })
    .map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown),
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  pollutingObject,
  fc.integer({ min: 20, max: 2_000 }).map(nested),
  fc.array(hostileString, { maxLength: 5 }),
);

/**
 * Near-valid values: a schema-shaped value with one field replaced by a hostile value,
 * removed, or joined by an unknown / polluting key. Non-objects are swapped wholesale.
 */
export function nearValid(schema: z.ZodType, hints: ValueHints): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      arbitraryFor(schema, hints),
      hostileValue,
      fc.nat(),
      fc.constantFrom('replace', 'delete', 'add', 'pollute', 'keep', 'keep'),
      fc.constantFrom(...POLLUTION_KEYS, 'unbekannt'),
    )
    .map(([valid, bad, index, how, key]) => {
      if (typeof valid !== 'object' || valid === null || Array.isArray(valid)) return how === 'keep' ? valid : bad;
      const copy: Record<string, unknown> = JSON.parse(JSON.stringify(valid));
      const keys = Object.keys(copy);
      const target = keys.length > 0 ? keys[index % keys.length]! : 'x';
      if (how === 'replace') copy[target] = bad;
      else if (how === 'delete') delete copy[target];
      else if (how === 'add') copy[key] = bad;
      else if (how === 'pollute')
        return JSON.parse(
          `{${JSON.stringify(copy).slice(1, -1)}${keys.length ? ',' : ''}"__proto__": {"isAdmin": true, "roles": ["admin"]}}`,
        ) as unknown;
      return copy;
    });
}

/** encodeURIComponent that accepts any string: lone surrogates (which it refuses) become U+FFFD. */
export function encodeAny(value: string): string {
  return encodeURIComponent(value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}

/**
 * Query strings as a client sends them: values from the schema stringified, one mutated
 * value, repeated keys (arrays), and hostile raw text.
 */
export function queryArbitrary(schema: z.ZodType, hints: ValueHints): fc.Arbitrary<string> {
  const encode = (value: unknown): string => {
    if (typeof value !== 'object' || value === null) return '';
    return Object.entries(value as Record<string, unknown>)
      .flatMap(([k, v]) => (Array.isArray(v) ? v.map((item) => [k, item] as const) : [[k, v] as const]))
      .map(([k, v]) => `${encodeAny(k)}=${encodeAny(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`)
      .join('&');
  };
  return fc.oneof(
    arbitraryFor(schema, hints).map(encode),
    nearValid(schema, hints).map(encode),
    fc
      .tuple(fc.constantFrom(...Object.keys(defOf(schema).shape ?? { q: null }), '__proto__', 'constructor'), hostileString)
      .map(([k, v]) => `${k}=${encodeAny(v.slice(0, 4000))}&${k}=${encodeAny(v.slice(0, 100))}`),
    fc.constantFrom(
      '%',
      '%zz',
      'a[b]=1',
      '&&&',
      '=x',
      'limit=1e3',
      'limit=-1',
      'limit=NaN',
      'limit=Infinity',
      'cursor=%00',
      'cursor=%ED%A0%80',
      'limit=%FF%FE',
      '%C0%AF=1',
      'cursor=' + 'A'.repeat(5000),
    ),
  );
}
