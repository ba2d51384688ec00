import { parse } from 'csv-parse/sync';
import { detectCsvDelimiter, parseCsv, restoreCell, toCsv } from './csv';

/** What Excel (id-ID) and any other reader see: the produced text read back by csv-parse itself, not by our wrapper. */
const readBack = (csv: string): string[][] => parse(csv, { bom: true, delimiter: ';', relax_column_count: true }) as string[][];

describe('csv export (csv-stringify) for Excel in Indonesia', () => {
  it('should start with a UTF-8 BOM, separate with semicolons, end rows with CRLF, and keep non-ASCII text', () => {
    const csv = toCsv([
      ['nama', 'unit'],
      ['Dinas Kominfo', 'Bidang Persandian — Statistik'],
    ]);
    expect(csv.startsWith('\ufeffnama;unit\r\n')).toBe(true);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(readBack(csv)).toEqual([
      ['nama', 'unit'],
      ['Dinas Kominfo', 'Bidang Persandian — Statistik'],
    ]);
  });

  it('should write numbers with a decimal comma, and leave integers and negative numbers unescaped', () => {
    const csv = toCsv([[2019, 2.5, -1.25, '2.5']]);
    expect(readBack(csv)).toEqual([['2019', '2,5', '-1,25', '2.5']]);
  });

  it('should neutralise every formula start in the produced file, as the library writes it', () => {
    const hostile = [
      '=SUM(A1)',
      '+62 812',
      '-2+3',
      '@cmd',
      '\tx',
      '\rx',
      '\uff1d1+1',
      '\uff0b1',
      '\uff0d1',
      '\uff20x',
      '=HYPERLINK("http://jahat.example";"klik")',
    ];
    const cells = readBack(toCsv([hostile]))[0]!;
    expect(cells).toEqual(hostile.map((v) => `'${v}`));
    // No cell of the file starts with a character a spreadsheet evaluates.
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/);
    expect(cells.map(restoreCell)).toEqual(hostile);
    expect(restoreCell("'biasa")).toBe("'biasa");
    expect(readBack(toCsv([['biasa', "'kutip", 'a-b', 'x=1']]))[0]).toEqual(['biasa', "'kutip", 'a-b', 'x=1']);
  });

  it('should quote separators, quotes, CR and LF so each cell reads back as one cell', () => {
    const row = ['a;b', 'c,d', 'd "e"', 'baris\r\ndua', 'hanya\nLF', 'hanya\rCR', '', ' spasi '];
    const csv = toCsv([row, ['x']]);
    expect(readBack(csv)).toEqual([row, ['x']]);
    expect(parseCsv(csv)).toEqual({ rows: [row, ['x']], delimiter: ';' });
  });
});

describe('csv import (csv-parse)', () => {
  it('should detect the separator from the header: semicolon (Excel id-ID) or comma, also when a quoted cell holds the other one', () => {
    expect(detectCsvDelimiter('name;kind;pic_name\r\n"a,b";c;d')).toBe(';');
    expect(detectCsvDelimiter('name,kind,pic_name\n"a;b",c,d')).toBe(',');
    expect(detectCsvDelimiter('"nama; lengkap",kind\n')).toBe(',');
    expect(detectCsvDelimiter('"nama, lengkap";kind;x\n')).toBe(';');
    expect(detectCsvDelimiter('satu\n')).toBe(',');
    expect(parseCsv('\ufeffname;kind\r\n"Jl. Tjilik Riwut, Km 5";1,5\r\n').rows).toEqual([
      ['name', 'kind'],
      ['Jl. Tjilik Riwut, Km 5', '1,5'],
    ]);
  });

  it('should report unterminated and stray quotes with the record number (header = 1)', () => {
    expect(parseCsv('a,b\n"c,d\n').error).toEqual({ row: 2, message: { id: 'Tanda kutip tidak ditutup.', en: 'Unterminated quote.' } });
    expect(parseCsv('a,b\nc"d,e\n').error?.row).toBe(2);
    expect(parseCsv('a;b\nx;y\n"z;"w\n').error?.row).toBe(3);
    expect(parseCsv('a,b\n"c,d\n').error?.message.en).toBeTruthy();
  });

  it('should accept LF, CR and CRLF endings, a missing final newline and trailing blank lines; rows may differ in length', () => {
    expect(parseCsv('a,b\nc,d').rows).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(parseCsv('a,b\rc,d\r').rows).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(parseCsv('a,b\r\n\r\n\r\n').rows).toEqual([['a', 'b']]);
    expect(parseCsv('a,b,c\nd\n').rows).toEqual([['a', 'b', 'c'], ['d']]);
    expect(parseCsv('').rows).toEqual([]);
  });
});
