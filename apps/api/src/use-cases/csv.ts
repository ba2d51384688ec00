import type { LocalizedText } from '@betang/core';
import { CsvError, parse, type Options as ParseOptions } from 'csv-parse/sync';
import { stringify as stringifyStream, type Options as StringifyOptions, type Stringifier } from 'csv-stringify';
import { stringify } from 'csv-stringify/sync';

/**
 * The separator of exported files. Excel splits a CSV on the list separator of the Windows
 * region: in Indonesia (id-ID) that is the semicolon, because the comma is the decimal mark.
 */
const CSV_EXPORT_DELIMITER = ';';
const IMPORT_DELIMITERS = [',', ';'] as const;

// What csv-stringify's escape_formulas prefixes with an apostrophe: = + - @ tab CR, and the
// full-width forms of = + - @ that some spreadsheet programs normalise and then evaluate.
const ESCAPED_FORMULA_START = /^'[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/** Undoes the formula neutralisation of an export (a leading apostrophe), so an exported file imports back to the same values. */
export function restoreCell(value: string): string {
  return ESCAPED_FORMULA_START.test(value) ? value.slice(1) : value;
}

/** An Indonesian decimal: a comma before the fraction, as Excel in the id-ID region reads and writes it. */
function indonesianDecimal(value: number): string {
  return String(value).replace('.', ',');
}

type CsvCell = string | number | null;

/**
 * csv-stringify's options for every export, sync (toCsv) or streamed (csvExportStream): UTF-8 BOM,
 * semicolons, CRLF, quoting of any cell holding a separator, quote, CR or LF, decimal comma, and
 * formula neutralisation (a leading apostrophe before = + - @ tab CR and their full-width forms).
 */
export const CSV_EXPORT_OPTIONS: StringifyOptions = {
  bom: true,
  delimiter: CSV_EXPORT_DELIMITER,
  record_delimiter: 'windows',
  // Given a record delimiter, csv-stringify quotes only cells holding that delimiter; a lone LF
  // or CR would then break the row in Excel and in csv-parse.
  quote_record_delimiter: true,
  escape_formulas: true,
  cast: { number: indonesianDecimal },
};

/** A transform stream writing each row written to it as one CSV record, with the guarantees of toCsv. */
export function csvExportStream(): Stringifier {
  return stringifyStream(CSV_EXPORT_OPTIONS);
}

/**
 * Serialises rows as CSV for Excel in Indonesia: UTF-8 BOM (so Excel reads UTF-8), semicolons,
 * CRLF, numbers with a decimal comma. Guarantees: a text cell starting with = + - @ tab or CR
 * (or a full-width = + - @) gets a leading apostrophe, so it is shown as text and never
 * evaluated; a cell holding a separator, a quote, CR or LF is quoted, so every cell reads back
 * as one cell (parseCsv, Excel).
 */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return stringify(
    rows.map((row) => [...row]),
    CSV_EXPORT_OPTIONS,
  );
}

type CsvParseResult = { rows: string[][]; delimiter: string; error?: { row: number; message: LocalizedText } };

const BASE_OPTIONS: ParseOptions = { bom: true, relax_column_count: true, skip_empty_lines: false };

function fieldsOfFirstRecord(text: string, delimiter: string): number {
  try {
    const [first] = parse(text, { ...BASE_OPTIONS, delimiter, to: 1 }) as string[][];
    return first?.length ?? 0;
  } catch {
    return 0;
  }
}

/**
 * The separator of an uploaded file: comma (RFC 4180, most tools) or semicolon (Excel in the
 * id-ID region), whichever splits the header row into more cells; comma on a tie. csv-parse's own
 * delimiter_auto is not used: it samples the text with quotes still active and fails on a
 * quoted cell that holds the separator (csv-parse 7.0.3).
 */
export function detectCsvDelimiter(text: string): ',' | ';' {
  const [comma, semicolon] = IMPORT_DELIMITERS.map((d) => fieldsOfFirstRecord(text, d)) as [number, number];
  return semicolon > comma ? ';' : ',';
}

function describeCsvError(error: CsvError): LocalizedText {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return { id: 'Tanda kutip tidak ditutup.', en: 'Unterminated quote.' };
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return {
        id: 'Tanda kutip di tengah sel: apit seluruh sel dengan tanda kutip dan gandakan tanda kutip di dalamnya.',
        en: 'Stray quote inside a cell: quote the whole cell and double the quotes inside it.',
      };
    default:
      return { id: 'Berkas CSV tidak dapat dibaca.', en: 'The CSV file cannot be read.' };
  }
}

/**
 * Parses CSV with csv-parse: comma or semicolon separated (detectCsvDelimiter), double quotes,
 * CRLF, LF or CR, optional UTF-8 BOM. Guarantees: a broken quote is reported with the number of
 * the record it is in (the header is 1) instead of guessing; rows may differ in length (the
 * caller reports that per row); trailing empty lines are ignored.
 */
export function parseCsv(text: string): CsvParseResult {
  const delimiter = detectCsvDelimiter(text);
  let rows: string[][];
  try {
    rows = parse(text, { ...BASE_OPTIONS, delimiter }) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const records = typeof error.records === 'number' ? error.records : 0;
    return { rows: [], delimiter, error: { row: records + 1, message: describeCsvError(error) } };
  }
  while (rows.length > 0 && rows[rows.length - 1]!.every((cell) => cell === '')) rows.pop();
  return { rows, delimiter };
}
