import { childAt, children, DerError, oidOf, readTlv } from './der-reader';

describe('der-reader', () => {
  it('should read definite and indefinite lengths with exact raw slices', () => {
    const der = Buffer.from('300a06032a864802030100ff', 'hex');
    const t = readTlv(der);
    expect(t.raw.length).toBe(12);
    expect(children(t)).toHaveLength(2);
    expect(oidOf(childAt(t, 0, 'OID'))).toBe('1.2.840');
    expect(childAt(t, 1, 'INTEGER').content.toString('hex')).toBe('0100ff');
    const ber = Buffer.from('30800603550403 0000'.replace(/ /g, ''), 'hex');
    expect(oidOf(childAt(readTlv(ber), 0, 'OID'))).toBe('2.5.4.3');
  });

  it('should throw DerError for lengths past the end, huge lengths and deep nesting', () => {
    expect(() => readTlv(Buffer.from('3005020101', 'hex'))).toThrow(DerError);
    expect(() => readTlv(Buffer.from('3085ffffffffff', 'hex'))).toThrow(DerError);
    expect(() => readTlv(Buffer.from('3080'.repeat(200), 'hex'))).toThrow(DerError);
    expect(() => readTlv(Buffer.from('0480', 'hex'))).toThrow(DerError);
    expect(() => readTlv(Buffer.alloc(0))).toThrow(DerError);
    expect(() => oidOf(readTlv(Buffer.from('020101', 'hex')))).toThrow(DerError);
  });
});
