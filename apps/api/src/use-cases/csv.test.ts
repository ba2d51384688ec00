import { neutraliseCell, parseCsv, restoreCell, toCsv } from './csv';

describe('csv', () => {
  it('should neutralise formula cells and restore them', () => {
    for (const v of ['=SUM(A1)', '+62 812', '-1', '@cmd', '\tx']) {
      expect(neutraliseCell(v)).toBe(`'${v}`);
      expect(restoreCell(neutraliseCell(v))).toBe(v);
    }
    expect(neutraliseCell('biasa')).toBe('biasa');
    expect(restoreCell("'biasa")).toBe("'biasa");
  });

  it('should round-trip quotes, commas and line breaks', () => {
    const rows = [['a', 'b,c', 'd "e"'], ['baris\r\ndua', '', 'x']];
    const parsed = parseCsv(toCsv(rows));
    expect(parsed.error).toBeUndefined();
    expect(parsed.rows).toEqual(rows);
  });

  it('should report unterminated and stray quotes with the row', () => {
    expect(parseCsv('a,b\n"c,d\n').error?.row).toBe(2);
    expect(parseCsv('a,b\nc"d,e\n').error?.row).toBe(2);
  });

  it('should accept LF endings, a missing final newline and trailing blank lines', () => {
    expect(parseCsv('a,b\nc,d').rows).toEqual([['a', 'b'], ['c', 'd']]);
    expect(parseCsv('a,b\r\n\r\n\r\n').rows).toEqual([['a', 'b']]);
  });
});
