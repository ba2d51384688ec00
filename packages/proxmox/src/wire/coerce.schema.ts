import { z } from 'zod';

/**
 * zod schemas for PVE's wire quirks (reference/proxmox-api.md §0.5, §4.5):
 * booleans arrive as `1`/`0` (sometimes `"1"`), integers sometimes as strings,
 * `nextid` as a string, `memory` as a property string (`"2048"` or `"current=2048"`)
 * since PVE 8.1 and as a number before.
 */

const INT_TEXT = /^-?\d+$/;
const NUM_TEXT = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** PVE boolean: 1/0, "1"/"0", true/false → boolean. Anything else fails. */
export const ZPveBoolean = z.union([
  z.boolean(),
  z.literal(1).transform(() => true),
  z.literal(0).transform(() => false),
  z.literal('1').transform(() => true),
  z.literal('0').transform(() => false),
]);

/** Integer given as a number or a decimal string. */
export const ZPveInt = z
  .union([
    z.number().int(),
    z
      .string()
      .trim()
      .regex(INT_TEXT, 'not an integer')
      .transform((s) => Number(s)),
  ])
  .pipe(z.number().int().refine(Number.isSafeInteger, 'integer out of range'));

/** Number given as a number or a numeric string. */
export const ZPveNumber = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(NUM_TEXT, 'not a number')
      .transform((s) => Number(s)),
  ])
  .pipe(z.number().finite());

/** vmid: integer 100–999999999 (PVE's `pve-vmid` format), number or string. */
export const ZVmid = ZPveInt.pipe(z.number().min(100).max(999_999_999));

/** `GET /cluster/nextid` answer: a string in practice, an integer per the schema. */
export const ZNextId = ZVmid;

/** `memory` config value: number (PVE ≤ 8.0) or property string `[current=]<MiB>` (PVE ≥ 8.1) → MiB. */
export const ZPveMemoryMiB = z
  .union([
    z.number().int(),
    z
      .string()
      .trim()
      .regex(/^(current=)?\d+$/, 'not a memory value')
      .transform((s) => Number(s.replace('current=', ''))),
  ])
  .pipe(z.number().int().min(16));

/** `agent` config value: `1`/`0` or `enabled=1,...` property string → enabled flag. */
export const ZPveAgentEnabled = z.union([ZPveBoolean, z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  const first = v.split(',')[0]?.trim() ?? '';
  const value = first.startsWith('enabled=') ? first.slice('enabled='.length) : first;
  if (value === '1' || value === 'yes' || value === 'on' || value === 'true') return true;
  if (value === '0' || value === 'no' || value === 'off' || value === 'false') return false;
  ctx.addIssue({ code: 'custom', message: `unrecognised agent value ${JSON.stringify(v)}` });
  return z.NEVER;
});
