import { z } from 'zod';
import { LOCALES } from '../i18n';
import { zText } from './common';
import { ZImportRowError } from './applications';

const ZText2 = z.object({ id: z.string(), en: z.string() });

/** One conflict of a census VM and what to decide (see policies/estate.ts). */
export const ZEstateConflict = z.object({
  kind: z.enum(['address_shared', 'address_held', 'outside_pool', 'vmid_range', 'claimed']),
  address: z.string().nullable(),
  others: z.array(z.number().int()),
  resolved: z.boolean(),
  message: ZText2,
  decide: ZText2,
});

const ZDecisions = z.strictObject({
  /** Per address (IPv4): this VM keeps it, or is adopted without it. */
  addresses: z
    .record(z.ipv4(), z.enum(['keep', 'drop']))
    .refine((r) => Object.keys(r).length <= 16, { message: 'too many addresses' })
    .optional(),
  /** Accept this VM's addresses outside every pool as they are (recorded, not allocated). */
  outsidePool: z.boolean().optional(),
  /** Accept this VM's vmid inside Betang's own range. */
  vmidRange: z.boolean().optional(),
});
export type EstateDecisionsDto = z.infer<typeof ZDecisions>;

/** A VM of the census: what Proxmox says of it, Betang's proposal and its conflicts. */
export const ZEstateVm = z.object({
  vmid: z.number().int(),
  node: z.string(),
  name: z.string().nullable(),
  tags: z.array(z.string()),
  notes: z.string().nullable(),
  cores: z.number().int(),
  memoryMiB: z.number().int(),
  diskGiB: z.number().int(),
  power: z.string(),
  agent: z.boolean(),
  addresses: z.array(z.object({ address: z.string(), source: z.enum(['agent', 'config']) })),
  inBetangRange: z.boolean(),
  observedAt: z.string(),
  /** `adopted` once an operator adopted it (the census drops it once the marker is written). */
  status: z.enum(['unowned', 'adopted']),
  proposal: z
    .object({
      institutionId: z.string(),
      institutionCode: z.string(),
      applicationId: z.string().nullable(),
      applicationName: z.string().nullable(),
      reason: ZText2,
    })
    .nullable(),
  conflicts: z.array(ZEstateConflict),
  decisions: ZDecisions,
  /** Adopted: the Betang VM row. */
  vmId: z.string().nullable(),
});
export type EstateVmDto = z.infer<typeof ZEstateVm>;

export const ZEstateList = z.object({
  items: z.array(ZEstateVm),
  /** When the newest census was taken (null before the first). */
  observedAt: z.string().nullable(),
});

export const ZVmidParam = z.strictObject({ vmid: z.coerce.number().int().min(100).max(999_999_999) });

/** `POST /estate/{vmid}/decisions`: the operator's decisions on this VM's conflicts. */
export const ZEstateDecisionBody = ZDecisions;

/** `POST /estate/{vmid}/adopt`: the owner the operator confirms (or corrects). */
export const ZAdoptBody = z.strictObject({
  institutionId: z.uuid(),
  applicationId: z.uuid(),
});

/** A quota or ceiling dimension an institution is over after an adoption (reported, never refused). */
export const ZOverLimit = z.object({
  limit: z.enum(['quota', 'ceiling']),
  dimension: z.enum(['cores', 'memoryMiB', 'diskGiB', 'vmCount', 'ipCount']),
  allowed: z.number(),
  used: z.number(),
});

export const ZAdoptResult = z.object({
  vmid: z.number().int(),
  vmId: z.string(),
  requestId: z.string(),
  runId: z.string(),
  /** Addresses taken into a pool, and those recorded outside every pool or dropped by decision. */
  pooled: z.array(z.string()),
  outsidePool: z.array(z.string()),
  dropped: z.array(z.string()),
  over: z.array(ZOverLimit),
});
export type AdoptResultDto = z.infer<typeof ZAdoptResult>;

/** `POST /estate/import?dryRun=` answer: rows checked, adopted, and row errors (nothing applied when any). */
export const ZEstateImportResult = z.object({
  dryRun: z.boolean(),
  rows: z.number().int(),
  adopted: z.number().int(),
  skipped: z.number().int(),
  errors: z.array(ZImportRowError),
  results: z.array(ZAdoptResult),
});
export type EstateImportResultDto = z.infer<typeof ZEstateImportResult>;

/**
 * `GET /estate/export.csv` query: `lang` names the language of the sheet's words (reason,
 * conflicts, address source, `ya`/`yes`) when a plain download link cannot set Accept-Language;
 * the column names stay the same in both, and the import reads either language.
 */
export const ZEstateExportQuery = z.strictObject({ lang: z.enum(LOCALES).optional() });

/** `POST /estate/import` query: `dryRun=true` (default) validates only. */
export const ZEstateImportQuery = z.strictObject({
  dryRun: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

/** `POST /vms/{id}/release`: why the VM leaves Betang (the VM itself stays untouched). */
export const ZReleaseBody = z.strictObject({ reason: zText({ min: 5, max: 500, multiline: true }) });

/** CSV columns of the census mapping export/import, in order. */
export const ESTATE_CSV_COLUMNS = [
  'vmid',
  'node',
  'name',
  'addresses',
  'institution_code',
  'application_name',
  'proposal_reason',
  'conflicts',
  'adopt',
] as const;
