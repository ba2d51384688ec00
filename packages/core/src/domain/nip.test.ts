import { ZCreateApplicationBody, ZNip } from '../contracts';
import { formatNip, normalizeNip } from './nip';

describe('NIP', () => {
  it('should accept the grouped form people write and keep the 18 digits', () => {
    expect(ZNip.parse('19870315 201001 1 002')).toBe('198703152010011002');
    expect(ZNip.parse(' 19870315  201001 1 002 ')).toBe('198703152010011002');
    expect(ZNip.parse('19870315\u00a0201001\u00a01\u00a0002')).toBe('198703152010011002');
    expect(ZNip.parse('198703152010011002')).toBe('198703152010011002');
  });

  it('should refuse anything that is not 18 digits once the spaces are gone', () => {
    for (const bad of ['19870315 201001 1 00', '19870315-201001-1-002', '1987031520100110021', 'abcdefghijklmnopqr', '']) {
      expect([bad, ZNip.safeParse(bad).success]).toEqual([bad, false]);
    }
  });

  it('should normalise a NIP inside a contract body', () => {
    const body = ZCreateApplicationBody.parse({
      name: 'E-Surat',
      kind: 'khusus',
      picName: 'Budi',
      picNip: '19870315 201001 1 002',
      picEmail: 'budi@kalteng.go.id',
      dataClassification: 'rendah',
    });
    expect(body.picNip).toBe('198703152010011002');
  });

  it('should group 18 digits 8-6-1-3 and leave anything else as written', () => {
    expect(formatNip('198703152010011002')).toBe('19870315 201001 1 002');
    expect(formatNip('19870315 201001 1 002')).toBe('19870315 201001 1 002');
    expect(formatNip('12345')).toBe('12345');
    expect(normalizeNip('19870315 201001 1 002')).toBe('198703152010011002');
  });
});
