import {
  AppError,
  ErrorCode,
  Role,
  hasAnyRole,
  type Actor,
  type ApplicationFields,
  type ApplicationImportResult,
  type ImportRowError,
} from '@betang/core';
import {
  appendAudit,
  findApplicationByName,
  findInstitution,
  findInstitutionByCode,
  insertApplication,
  updateApplication,
  type Db,
  type Executor,
} from '@betang/db';
import type { auditContext } from '../http/context';
import { toApplicationDto } from './application-access';
import { checkCsvHeader, parseApplicationRow } from './application-csv';
import { parseCsv } from './csv';

/** Most data rows one import may carry (the body is also size-limited). */
const MAX_IMPORT_ROWS = 2000;

type ValidRow = { row: number; institutionId: string; fields: ApplicationFields };

async function resolveOwners(
  db: Executor,
  actor: Actor,
  parsed: { row: number; institutionCode: string; fields: ApplicationFields }[],
  errors: ImportRowError[],
): Promise<ValidRow[]> {
  const isAdmin = hasAnyRole(actor, [Role.Admin]);
  const own = !isAdmin && actor.institutionId ? await findInstitution(db, actor.institutionId) : undefined;
  const byCode = new Map<string, string | null>();
  const seen = new Set<string>();
  const valid: ValidRow[] = [];
  for (const p of parsed) {
    let institutionId: string | null = null;
    if (isAdmin) {
      if (!p.institutionCode) {
        errors.push({
          row: p.row,
          column: 'institution_code',
          message: { id: 'Kode perangkat daerah wajib diisi (admin).', en: 'Institution code is required (admin).' },
        });
        continue;
      }
      if (!byCode.has(p.institutionCode)) byCode.set(p.institutionCode, (await findInstitutionByCode(db, p.institutionCode))?.id ?? null);
      institutionId = byCode.get(p.institutionCode) ?? null;
    } else if (own && (!p.institutionCode || p.institutionCode === own.code)) institutionId = own.id;
    if (!institutionId) {
      errors.push({
        row: p.row,
        column: 'institution_code',
        message: {
          id: `Perangkat daerah "${p.institutionCode}" tidak dikenal atau bukan perangkat daerah Anda.`,
          en: `Institution "${p.institutionCode}" is unknown or not yours.`,
        },
      });
      continue;
    }
    const key = `${institutionId}\u0000${p.fields.name}`;
    if (seen.has(key)) {
      errors.push({
        row: p.row,
        column: 'name',
        message: {
          id: `Nama "${p.fields.name}" muncul lebih dari sekali dalam berkas.`,
          en: `Name "${p.fields.name}" appears more than once in the file.`,
        },
      });
      continue;
    }
    seen.add(key);
    valid.push({ row: p.row, institutionId, fields: p.fields });
  }
  return valid;
}

/**
 * Imports inventory rows from CSV (create, or update by (institution, name)). Guarantees: every
 * row error is reported with row, column and a bilingual message; a dry run, or any error,
 * writes nothing; otherwise all rows are written (each audited) in one transaction.
 */
export async function importApplications(
  db: Db,
  input: { csv: string; actor: Actor; dryRun: boolean; audit: ReturnType<typeof auditContext> },
): Promise<ApplicationImportResult> {
  const result: ApplicationImportResult = { dryRun: input.dryRun, rows: 0, created: 0, updated: 0, errors: [] };
  const { rows, error } = parseCsv(input.csv);
  if (error) return { ...result, errors: [{ row: error.row, column: null, message: error.message }] };
  const [header, ...data] = rows;
  if (!header) return { ...result, errors: [{ row: 1, column: null, message: { id: 'Berkas kosong.', en: 'The file is empty.' } }] };
  result.rows = data.length;
  if (data.length > MAX_IMPORT_ROWS)
    throw new AppError(ErrorCode.PayloadTooLarge, {
      id: `Paling banyak ${MAX_IMPORT_ROWS} baris per impor.`,
      en: `At most ${MAX_IMPORT_ROWS} rows per import.`,
    });
  result.errors.push(...checkCsvHeader(header));
  if (result.errors.length > 0) return result;

  const parsed: { row: number; institutionCode: string; fields: ApplicationFields }[] = [];
  data.forEach((cells, i) => {
    const r = parseApplicationRow(header, cells, i + 2);
    result.errors.push(...r.errors);
    if (r.fields) parsed.push({ row: i + 2, institutionCode: r.institutionCode, fields: r.fields });
  });
  const valid = await resolveOwners(db, input.actor, parsed, result.errors);
  result.errors.sort((a, b) => a.row - b.row);

  if (input.dryRun || result.errors.length > 0) {
    for (const v of valid) {
      if (await findApplicationByName(db, v.institutionId, v.fields.name)) result.updated++;
      else result.created++;
    }
    return result;
  }
  await db.transaction().execute(async (tx) => {
    for (const v of valid) {
      const before = await findApplicationByName(tx, v.institutionId, v.fields.name);
      const after = before ? await updateApplication(tx, before.id, v.fields) : await insertApplication(tx, v.institutionId, v.fields);
      if (before) result.updated++;
      else result.created++;
      await appendAudit(tx, {
        ...input.audit,
        institutionId: v.institutionId,
        action: before ? 'application.updated' : 'application.created',
        targetType: 'application',
        targetId: after!.id,
        before: before ? toApplicationDto(before) : undefined,
        after: { ...toApplicationDto(after!), via: 'csv_import' },
      });
    }
  });
  return result;
}
