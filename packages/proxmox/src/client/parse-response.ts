import { classifyHttpFailure } from '../errors/classify-text';
import type { HttpMethod } from '../errors/pve-api-error';
import { PveApiError } from '../errors/pve-api-error';

const MAX_FIELD_ERRORS = 64;
const MAX_TEXT = 2_000;

/** PVE's success envelope: `{data}` plus `total` on some list endpoints. */
export type PveEnvelope = { data: unknown; total?: number };

function clip(text: string): string {
  const t = text.trim();
  return t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT)}…` : t;
}

function tryJson(body: string): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Builds a PveApiError from a non-2xx answer. Works for both body forms: PVE 9 / late PVE 8
 * (`{data:null, message, errors?}`) and older PVE 8 (`{data:null}` or `{data:null, errors}`,
 * text only in the reason phrase). Field errors are trimmed (PVE ends them with `\n`) and
 * bounded in number and length.
 */
export function toApiError(status: number, reason: string, body: string, method: HttpMethod, pathTemplate: string): PveApiError {
  const json = tryJson(body);
  const obj = isRecord(json) ? json : {};
  const bodyMessage = typeof obj.message === 'string' ? clip(obj.message) : '';
  let errors: Record<string, string> | undefined;
  if (isRecord(obj.errors)) {
    errors = {};
    for (const [k, v] of Object.entries(obj.errors).slice(0, MAX_FIELD_ERRORS)) {
      errors[clip(k)] = clip(typeof v === 'string' ? v : JSON.stringify(v));
    }
  }
  const cleanReason = clip(reason);
  const message = bodyMessage || cleanReason || `HTTP ${status}`;
  const fieldText = errors ? Object.values(errors).join('\n') : '';
  const c = classifyHttpFailure(status, `${cleanReason}\n${message}\n${fieldText}`);
  return new PveApiError(
    { status, reason: cleanReason, message, method, pathTemplate, ...(errors ? { errors } : {}) },
    c.kind === 'transient',
  );
}

/** Parses a 2xx body into the envelope; undefined when it is not PVE's `{data}` JSON. */
export function parseEnvelope(body: string): PveEnvelope | undefined {
  const json = tryJson(body);
  if (!isRecord(json) || !('data' in json)) return undefined;
  const total = typeof json.total === 'number' ? json.total : typeof json.total === 'string' ? Number(json.total) : undefined;
  return total !== undefined && Number.isFinite(total) ? { data: json.data, total } : { data: json.data };
}
