import { z } from 'zod';
import { ZEmail, ZNip, ZPageQuery, ZPhone, zText } from './common';
import { ZFindText } from './find';

/** aplikasi umum (shared across agencies) / aplikasi khusus (specific to one agency). */
export const APPLICATION_KINDS = ['umum', 'khusus'] as const;
/** Data classification of an electronic system (strategis / tinggi / rendah). */
export const DATA_CLASSIFICATIONS = ['strategis', 'tinggi', 'rendah'] as const;
export const DEVELOPER_TYPES = ['internal', 'vendor'] as const;
export const APPLICATION_USER_TYPES = ['internal', 'public', 'both'] as const;
export const APPLICATION_STATUSES = ['planned', 'development', 'active', 'retired'] as const;

const ZLine = (max: number) => zText({ min: 1, max });
const ZParagraph = (max: number) => zText({ min: 1, max, multiline: true });

/** An http(s) URL (the application's address, usually a subdomain of kalteng.go.id). */
const ZWebUrl = z.url({ protocol: /^https?$/ }).max(500);

const ZApplicationFieldsBase = z.strictObject({
  name: ZLine(200),
  kind: z.enum(APPLICATION_KINDS),
  description: ZParagraph(4000).nullable().optional(),
  function: ZParagraph(2000).nullable().optional(),
  unit: ZLine(200).nullable().optional(),
  picName: ZLine(200),
  picNip: ZNip,
  picPosition: ZLine(200).nullable().optional(),
  picPhone: ZPhone.nullable().optional(),
  picEmail: ZEmail,
  developerType: z.enum(DEVELOPER_TYPES),
  developerName: ZLine(200).nullable().optional(),
  contractRef: ZLine(200).nullable().optional(),
  legalBasis: ZParagraph(2000).nullable().optional(),
  userType: z.enum(APPLICATION_USER_TYPES),
  url: ZWebUrl.nullable().optional(),
  techStack: ZLine(500).nullable().optional(),
  databaseEngine: ZLine(200).nullable().optional(),
  dataClassification: z.enum(DATA_CLASSIFICATIONS),
  interfaces: ZParagraph(2000).nullable().optional(),
  status: z.enum(APPLICATION_STATUSES),
  yearBuilt: z.number().int().min(1990).max(2100).nullable().optional(),
});

/** The fields of an inventory entry (SPBE application data identification), as clients send them. */
export const ZApplicationFields = ZApplicationFieldsBase.extend({
  developerType: z.enum(DEVELOPER_TYPES).default('internal'),
  userType: z.enum(APPLICATION_USER_TYPES).default('internal'),
  status: z.enum(APPLICATION_STATUSES).default('active'),
});
export type ApplicationFields = z.infer<typeof ZApplicationFields>;

/** `POST /applications` body; `institutionId` is required for admins, and must be the own one for institution users. */
export const ZCreateApplicationBody = ZApplicationFields.extend({ institutionId: z.uuid().optional() });
export type CreateApplicationBody = z.infer<typeof ZCreateApplicationBody>;

/** `PATCH /applications/:id` body: any subset of the fields (no defaults applied). */
export const ZUpdateApplicationBody = ZApplicationFieldsBase.partial();
export type UpdateApplicationBody = Partial<ApplicationFields>;

/** An inventory entry as the API shows it. */
export const ZApplication = z.object({
  id: z.uuid(),
  institutionId: z.uuid(),
  name: z.string(),
  kind: z.enum(APPLICATION_KINDS),
  description: z.string().nullable(),
  function: z.string().nullable(),
  unit: z.string().nullable(),
  picName: z.string(),
  picNip: z.string(),
  picPosition: z.string().nullable(),
  picPhone: z.string().nullable(),
  picEmail: z.string(),
  developerType: z.enum(DEVELOPER_TYPES),
  developerName: z.string().nullable(),
  contractRef: z.string().nullable(),
  legalBasis: z.string().nullable(),
  userType: z.enum(APPLICATION_USER_TYPES),
  url: z.string().nullable(),
  techStack: z.string().nullable(),
  databaseEngine: z.string().nullable(),
  dataClassification: z.enum(DATA_CLASSIFICATIONS),
  interfaces: z.string().nullable(),
  status: z.enum(APPLICATION_STATUSES),
  yearBuilt: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ApplicationDto = z.infer<typeof ZApplication>;

/** `GET /applications` query: paging, and for data-center roles an optional institution filter. */
export const ZApplicationListQuery = ZPageQuery.extend({
  institutionId: z.uuid().optional(),
  /** Free text within the application's name or description. */
  q: ZFindText.optional(),
});

/** `GET /applications/export.csv` query. */
export const ZApplicationExportQuery = z.strictObject({ institutionId: z.uuid().optional() });

/** `POST /applications/import` query: `dryRun=true` (default) validates only. */
export const ZApplicationImportQuery = z.strictObject({
  dryRun: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

/** One problem in an imported CSV: data row number (header = row 1), column, bilingual message. */
export const ZImportRowError = z.object({
  row: z.number().int(),
  column: z.string().nullable(),
  message: z.object({ id: z.string(), en: z.string() }),
});
export type ImportRowError = z.infer<typeof ZImportRowError>;

/** `POST /applications/import` response (200 dry run or success; 422 carries the same shape in details). */
export const ZApplicationImportResult = z.object({
  dryRun: z.boolean(),
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  errors: z.array(ZImportRowError),
});
export type ApplicationImportResult = z.infer<typeof ZApplicationImportResult>;

/**
 * CSV columns of the inventory export/import, in order. `institution_code` names the owner
 * (optional for institution users, who always import into their own institution).
 */
export const APPLICATION_CSV_COLUMNS = [
  ['institution_code', null],
  ['name', 'name'],
  ['kind', 'kind'],
  ['description', 'description'],
  ['function', 'function'],
  ['unit', 'unit'],
  ['pic_name', 'picName'],
  ['pic_nip', 'picNip'],
  ['pic_position', 'picPosition'],
  ['pic_phone', 'picPhone'],
  ['pic_email', 'picEmail'],
  ['developer_type', 'developerType'],
  ['developer_name', 'developerName'],
  ['contract_ref', 'contractRef'],
  ['legal_basis', 'legalBasis'],
  ['user_type', 'userType'],
  ['url', 'url'],
  ['tech_stack', 'techStack'],
  ['database_engine', 'databaseEngine'],
  ['data_classification', 'dataClassification'],
  ['interfaces', 'interfaces'],
  ['status', 'status'],
  ['year_built', 'yearBuilt'],
] as const satisfies readonly (readonly [string, keyof ApplicationFields | null])[];
