import { z } from 'zod';
import { ZPveInt } from '../wire/coerce.schema';

/** `GET /nodes/{node}/tasks/{upid}/status`. */
export const ZTaskStatus = z.object({
  upid: z.string(),
  node: z.string(),
  status: z.enum(['running', 'stopped']),
  exitstatus: z.string().optional(),
  type: z.string().optional(),
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  user: z.string().optional(),
  tokenid: z.string().optional(),
  pid: ZPveInt.optional(),
  pstart: ZPveInt.optional(),
  starttime: ZPveInt.optional(),
});
export type TaskStatus = z.infer<typeof ZTaskStatus>;

/** One line of `GET .../tasks/{upid}/log`. */
export const ZTaskLogLine = z.object({ n: ZPveInt, t: z.string() });

/** `OK` and `WARNINGS: n` are success (reference §3.3); anything else is an error text. */
export function exitStatusOutcome(exitstatus: string | undefined): { ok: true; warnings: number } | { ok: false } {
  if (exitstatus === 'OK') return { ok: true, warnings: 0 };
  const m = /^WARNINGS: (\d+)$/.exec(exitstatus ?? '');
  if (m) return { ok: true, warnings: Number(m[1]) };
  return { ok: false };
}
