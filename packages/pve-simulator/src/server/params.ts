import { paramError } from './pve-error';

/** One parameter of an endpoint, mirroring the PVE JSON schema subset we validate. */
export interface ParamSpec {
  type: 'string' | 'integer' | 'boolean' | 'number';
  optional?: boolean;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  enum?: readonly string[];
  pattern?: RegExp;
  /** Returns the text after "invalid format - " when the value is bad. */
  format?: (value: string) => string | undefined;
  /** Accepts a repeated key (form) or a JSON array. */
  array?: boolean;
}

/** Keys are parameter names; `net[n]` style keys match `net0`, `net1`, ... */
export type ParamSchema = Record<string, ParamSpec>;
export type RawParams = Record<string, string | string[]>;
type ParsedValue = string | number | string[];
export type ParsedParams = Record<string, ParsedValue>;

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Finds the spec for a key, expanding `name[n]` patterns. */
function specFor(schema: ParamSchema, key: string): ParamSpec | undefined {
  if (schema[key]) return schema[key];
  const m = /^([a-z_-]+?)(\d+)$/i.exec(key);
  return m ? schema[`${m[1]}[n]`] : undefined;
}

function checkOne(key: string, spec: ParamSpec, value: string): { error?: string; value?: string | number } {
  if (spec.type === 'boolean') {
    // PVE's check_type accepts only 1/0 in form data (the true/yes/on branch is commented out)
    if (value === '1' || value === '0') return { value: Number(value) };
    return { error: `type check ('boolean') failed - got '${value}'` };
  }
  if (spec.type === 'integer' || spec.type === 'number') {
    const ok = spec.type === 'integer' ? INTEGER.test(value) : NUMBER.test(value);
    if (!ok) return { error: `type check ('${spec.type}') failed - got '${value}'` };
    const n = Number(value);
    if (spec.minimum !== undefined && n < spec.minimum) return { error: `value must have a minimum value of ${spec.minimum}` };
    if (spec.maximum !== undefined && n > spec.maximum) return { error: `value must have a maximum value of ${spec.maximum}` };
    return { value: n };
  }
  // PVE::JSONSchema's texts for string length bounds.
  if (spec.minLength !== undefined && value.length < spec.minLength) {
    return { error: `value must be at least ${spec.minLength} characters long` };
  }
  if (spec.maxLength !== undefined && value.length > spec.maxLength) {
    return { error: `value may only be ${spec.maxLength} characters long` };
  }
  if (spec.enum && !spec.enum.includes(value)) {
    return { error: `value '${value}' does not have a value in the enumeration '${spec.enum.join(', ')}'` };
  }
  if (spec.pattern && !new RegExp(`^(?:${spec.pattern.source})$`).test(value)) {
    return { error: `value does not match the regex pattern` };
  }
  if (spec.format) {
    const why = spec.format(value);
    if (why) return { error: `invalid format - ${why}` };
  }
  void key;
  return { value };
}

/**
 * Validates raw request parameters against a schema the way PVE's JSONSchema does:
 * unknown keys, missing required keys, type/format errors are all collected and thrown
 * together as one 400. Guarantees the returned values are typed (numbers for integer/boolean).
 */
export function validateParams(schema: ParamSchema, raw: RawParams): ParsedParams {
  const errors: Record<string, string> = {};
  const out: ParsedParams = {};
  for (const [key, rawValue] of Object.entries(raw)) {
    const spec = specFor(schema, key);
    if (!spec) {
      errors[key] = 'property is not defined in schema and the schema does not allow additional properties';
      continue;
    }
    if (spec.array) {
      const list = Array.isArray(rawValue) ? rawValue : [rawValue];
      out[key] = list;
      continue;
    }
    if (Array.isArray(rawValue)) {
      errors[key] = `type check ('${spec.type}') failed - got ARRAY`;
      continue;
    }
    const r = checkOne(key, spec, rawValue);
    if (r.error) errors[key] = r.error;
    else if (r.value !== undefined) out[key] = r.value;
  }
  for (const [key, spec] of Object.entries(schema)) {
    if (!spec.optional && !key.endsWith('[n]') && raw[key] === undefined && !errors[key]) {
      errors[key] = 'property is missing and it is not optional';
    }
  }
  if (Object.keys(errors).length > 0) throw paramError(errors);
  return out;
}

/** Common specs. */
export const P = {
  node: { type: 'string', pattern: /[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?/ } as ParamSpec,
  vmid: { type: 'integer', minimum: 100, maximum: 999999999 } as ParamSpec,
  bool: { type: 'boolean', optional: true } as ParamSpec,
  optString: { type: 'string', optional: true } as ParamSpec,
  digest: { type: 'string', optional: true, maxLength: 40 } as ParamSpec,
};
