import {
  APPLICATION_CSV_COLUMNS,
  contractIssueText,
  TEXT_CONTROL_CHARACTER_MESSAGES,
  TEXT_CONTROL_CHARACTERS,
  ZApplicationFields,
  ZInstitutionCode,
  type ApplicationFields,
  type ImportRowError,
} from '@betang/core';
import type { ApplicationWithInstitution } from '@betang/db';
import type { z } from 'zod';
import { restoreCell, toCsv } from './csv';

type Column = (typeof APPLICATION_CSV_COLUMNS)[number];
const FIELD_TO_COLUMN = new Map<string, string>(
  APPLICATION_CSV_COLUMNS.filter((c) => c[1] !== null).map(([column, field]) => [field as string, column]),
);
const KNOWN_COLUMNS = new Set<string>(APPLICATION_CSV_COLUMNS.map(([c]) => c));

/** Columns every import file must have. */
const REQUIRED_CSV_COLUMNS = ['name', 'kind', 'pic_name', 'pic_nip', 'pic_email', 'data_classification'] as const;

/** The inventory as CSV for Excel (header + one row per application; see toCsv: semicolons, BOM, formula cells neutralised). */
export function applicationsToCsv(rows: readonly ApplicationWithInstitution[]): string {
  const header = APPLICATION_CSV_COLUMNS.map(([c]) => c);
  const body = rows.map((row) =>
    APPLICATION_CSV_COLUMNS.map(([, field]: Column) => {
      const value = field === null ? row.institutionCode : row[field];
      if (value === null || value === undefined) return '';
      return typeof value === 'number' ? value : String(value);
    }),
  );
  return toCsv([header, ...body]);
}

/** Checks the header row: every required column present, nothing unknown, no duplicates. */
export function checkCsvHeader(header: readonly string[]): ImportRowError[] {
  const errors: ImportRowError[] = [];
  const seen = new Set<string>();
  for (const raw of header) {
    const column = raw.trim();
    if (!KNOWN_COLUMNS.has(column))
      errors.push({ row: 1, column, message: { id: `Kolom "${column}" tidak dikenal.`, en: `Unknown column "${column}".` } });
    else if (seen.has(column))
      errors.push({ row: 1, column, message: { id: `Kolom "${column}" muncul dua kali.`, en: `Column "${column}" appears twice.` } });
    seen.add(column);
  }
  for (const column of REQUIRED_CSV_COLUMNS) {
    if (!seen.has(column))
      errors.push({ row: 1, column, message: { id: `Kolom wajib "${column}" tidak ada.`, en: `Required column "${column}" is missing.` } });
  }
  return errors;
}

function describe(column: string, issue: z.core.$ZodIssue): { id: string; en: string } {
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const list = issue.values.map(String).join(', ');
    return { id: `Nilai harus salah satu dari: ${list}.`, en: `Must be one of: ${list}.` };
  }
  if (issue.code === 'custom' && issue.params?.textError === TEXT_CONTROL_CHARACTERS) {
    const { line, paragraph } = TEXT_CONTROL_CHARACTER_MESSAGES;
    const message = issue.params?.multiline === true ? paragraph : line;
    return { id: `Isi kolom ${message.id}.`, en: `The cell ${message.en}.` };
  }
  const text = contractIssueText(issue);
  if (text) return text;
  if (issue.code === 'invalid_type') {
    return issue.input === undefined
      ? { id: 'Wajib diisi.', en: 'Required.' }
      : { id: 'Jenis nilai tidak sesuai (angka diharapkan?).', en: 'Wrong kind of value (a number expected?).' };
  }
  if (column === 'pic_nip') return { id: 'NIP harus 18 digit angka.', en: 'NIP must be 18 digits.' };
  if (column === 'pic_email') return { id: 'Alamat e-mail tidak valid.', en: 'Invalid e-mail address.' };
  if (column === 'url') return { id: 'URL harus diawali http:// atau https://.', en: 'URL must start with http:// or https://.' };
  if (column === 'pic_phone') return { id: 'Nomor telepon tidak valid.', en: 'Invalid phone number.' };
  if (issue.code === 'too_small') return { id: 'Wajib diisi atau terlalu kecil.', en: 'Required, or too small.' };
  if (issue.code === 'too_big') return { id: 'Terlalu panjang atau terlalu besar.', en: 'Too long or too large.' };
  return { id: 'Nilai tidak valid.', en: 'Invalid value.' };
}

/** One data row turned into validated fields, or its errors (row numbers count the header as 1). */
export function parseApplicationRow(
  header: readonly string[],
  cells: readonly string[],
  rowNumber: number,
): { fields?: ApplicationFields; institutionCode: string; errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  if (cells.length !== header.length) {
    errors.push({
      row: rowNumber,
      column: null,
      message: {
        id: `Jumlah kolom ${cells.length}, seharusnya ${header.length}.`,
        en: `${cells.length} columns, expected ${header.length}.`,
      },
    });
    return { institutionCode: '', errors };
  }
  const record: Record<string, unknown> = {};
  let institutionCode = '';
  header.forEach((rawColumn, i) => {
    const column = rawColumn.trim();
    const value = restoreCell(cells[i]!.trim());
    const entry = APPLICATION_CSV_COLUMNS.find(([c]) => c === column);
    if (!entry) return;
    if (entry[1] === null) institutionCode = value;
    else if (value === '')
      record[entry[1]] = (REQUIRED_CSV_COLUMNS as readonly string[]).includes(column)
        ? undefined
        : entry[1] === 'developerType' || entry[1] === 'userType' || entry[1] === 'status'
          ? undefined
          : null;
    else if (entry[1] === 'yearBuilt') record[entry[1]] = /^\d{1,4}$/.test(value) ? Number(value) : value;
    else record[entry[1]] = value;
  });
  // The code is looked up in the database: one that cannot be a code (a NUL byte, which
  // PostgreSQL refuses) is reported here rather than sent there.
  if (institutionCode !== '' && !ZInstitutionCode.safeParse(institutionCode).success) {
    errors.push({
      row: rowNumber,
      column: 'institution_code',
      message: {
        id: 'Kode perangkat daerah tidak valid: huruf besar, angka, tanda hubung.',
        en: 'Invalid institution code: A–Z, 0–9, dash.',
      },
    });
  }
  const parsed = ZApplicationFields.safeParse(record);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const column = FIELD_TO_COLUMN.get(String(issue.path[0])) ?? null;
      errors.push({ row: rowNumber, column, message: describe(column ?? '', issue) });
    }
    return { institutionCode, errors };
  }
  if (errors.length > 0) return { institutionCode, errors };
  return { fields: parsed.data, institutionCode, errors };
}
