/** Characters that make spreadsheet programs treat a cell as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Makes a cell safe to open in a spreadsheet: a value starting with = + - @ (or tab/CR) gets a
 * leading apostrophe, so it is shown as text and never evaluated. `restoreCell` undoes it.
 */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Undoes `neutraliseCell`, so an exported file imports back to the same values. */
export function restoreCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Serialises rows as RFC 4180 CSV (CRLF, quoted where needed), every cell neutralised; with a UTF-8 BOM for spreadsheets. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return `\ufeff${rows.map((row) => row.map((cell) => quote(neutraliseCell(cell))).join(',')).join('\r\n')}\r\n`;
}

export type CsvParseResult = { rows: string[][]; error?: { row: number; message: { id: string; en: string } } };

/**
 * Parses RFC 4180 CSV (comma, double quotes, CRLF or LF, optional BOM). Guarantees: linear in
 * the input; an unterminated quote or a stray quote is reported with its row number instead
 * of guessing; trailing empty lines are ignored.
 */
export function parseCsv(text: string): CsvParseResult {
  const input = text.startsWith('\ufeff') ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let inQuotes = false;
  let quotedCell = false;
  const endRow = () => {
    row.push(cell);
    rows.push(row);
    row = [];
    cell = '';
    quotedCell = false;
  };
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (inQuotes) {
      if (ch === '"' && input[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else cell += ch;
      continue;
    }
    if (ch === '"') {
      if (cell !== '' || quotedCell) return { rows, error: { row: rows.length + 1, message: { id: 'Tanda kutip di tengah sel.', en: 'Stray quote inside a cell.' } } };
      inQuotes = true;
      quotedCell = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
      quotedCell = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && input[i + 1] === '\n') i++;
      endRow();
    } else cell += ch;
  }
  if (inQuotes) return { rows, error: { row: rows.length + 1, message: { id: 'Tanda kutip tidak ditutup.', en: 'Unterminated quote.' } } };
  if (cell !== '' || row.length > 0 || quotedCell) endRow();
  while (rows.length > 0 && rows[rows.length - 1]!.every((c) => c === '')) rows.pop();
  return { rows };
}
