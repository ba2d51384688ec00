/** Parameter values the client can put on the wire. */
export type PveParamValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];
export type PveParams = Readonly<Record<string, PveParamValue>>;

/**
 * Encodes parameters the way PVE's form/query parser expects: booleans as `1`/`0` (PVE
 * rejects `true`), arrays as repeated keys, `null`/`undefined` dropped, numbers in plain
 * decimal. Non-finite numbers and nested objects are refused rather than sent as
 * `NaN`/`[object Object]`. The input object is never mutated.
 */
export function encodeParams(params: PveParams | undefined): URLSearchParams {
  const out = new URLSearchParams();
  if (!params) return out;
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly unknown[]) out.append(key, scalar(key, item));
    } else {
      out.append(key, scalar(key, value));
    }
  }
  return out;
}

function scalar(key: string, value: unknown): string {
  if (value === true) return '1';
  if (value === false) return '0';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`parameter ${key}: non-finite number`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  throw new TypeError(`parameter ${key}: unsupported value type ${typeof value}`);
}
