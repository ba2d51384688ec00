import { z } from 'zod';

/** A parsed Proxmox task id (`UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`). */
export type Upid = {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  /** Unix epoch seconds. */
  starttime: number;
  /** Worker type, e.g. `qmclone`, `qmstart`. */
  type: string;
  /** Usually the vmid acted on; for clone it is the *source* id. May be empty. */
  id: string;
  /** `user@realm` or `user@realm!tokenid`. */
  user: string;
};

// PVE's own parser (PVE::Tools::upid_decode), anchored; the trailing colon is required.
const UPID_RE =
  /^UPID:([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

const MAX_UPID_LENGTH = 512;

/** Thrown for text that is not a UPID (never a silent partial parse). */
export class UpidParseError extends Error {
  override readonly name = 'UpidParseError';
}

/**
 * Parses a UPID exactly as PVE does. Throws `UpidParseError` for anything else, including
 * over-long input, so a hostile string can never select which node we poll.
 */
export function parseUpid(upid: string): Upid {
  if (typeof upid !== 'string' || upid.length > MAX_UPID_LENGTH) throw new UpidParseError('UPID tidak valid / invalid UPID');
  const m = UPID_RE.exec(upid);
  if (!m) throw new UpidParseError(`UPID tidak valid / invalid UPID: ${JSON.stringify(upid.slice(0, 120))}`);
  return {
    upid,
    node: m[1] as string,
    pid: parseInt(m[2] as string, 16),
    pstart: parseInt(m[3] as string, 16),
    starttime: parseInt(m[4] as string, 16),
    type: m[5] as string,
    id: m[6] as string,
    user: m[7] as string,
  };
}

/** True when `value` parses as a UPID. */
export function isUpid(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_UPID_LENGTH && UPID_RE.test(value);
}

/** zod schema accepting a UPID string and producing the parsed form. */
export const ZUpid = z
  .string()
  .refine(isUpid, { message: 'invalid UPID' })
  .transform((s) => parseUpid(s));
