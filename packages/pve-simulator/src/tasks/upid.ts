/** Fields of a UPID. */
export interface UpidFields {
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
}

const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');

/** Formats `UPID:node:PID:PSTART:STARTTIME:type:id:user:` exactly like PVE (upper-case hex, trailing colon). */
export function formatUpid(u: UpidFields): string {
  return `UPID:${u.node}:${hex(u.pid, 8)}:${hex(u.pstart, 8)}:${hex(u.starttime, 8)}:${u.type}:${u.id}:${u.user}:`;
}

const UPID_RE =
  /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

/** Parses a UPID with PVE's own regex; undefined when it does not match. */
export function parseUpid(s: string): UpidFields | undefined {
  const m = UPID_RE.exec(s);
  if (!m) return undefined;
  return {
    node: m[1] ?? '',
    pid: parseInt(m[3] ?? '0', 16),
    pstart: parseInt(m[4] ?? '0', 16),
    starttime: parseInt(m[5] ?? '0', 16),
    type: m[6] ?? '',
    id: m[7] ?? '',
    user: m[8] ?? '',
  };
}
