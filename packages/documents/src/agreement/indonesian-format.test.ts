import { dayNameId, formatDateId, formatDateTimeId, formalDateWords, terbilang } from './indonesian-format';

describe('indonesian-format', () => {
  it('should spell numbers the Indonesian way', () => {
    expect(terbilang(0)).toBe('nol');
    expect(terbilang(11)).toBe('sebelas');
    expect(terbilang(15)).toBe('lima belas');
    expect(terbilang(27)).toBe('dua puluh tujuh');
    expect(terbilang(100)).toBe('seratus');
    expect(terbilang(1000)).toBe('seribu');
    expect(terbilang(2026)).toBe('dua ribu dua puluh enam');
    expect(terbilang(1_250_000)).toBe('satu juta dua ratus lima puluh ribu');
    expect(() => terbilang(-1)).toThrow(RangeError);
  });

  it('should format instants in WIB (UTC+7) regardless of the host time zone', () => {
    const lateUtc = new Date('2026-11-26T17:30:00Z');
    expect(formatDateId(lateUtc)).toBe('27 November 2026');
    expect(formatDateTimeId(lateUtc)).toBe('27 November 2026 pukul 00.30 WIB');
    expect(dayNameId(lateUtc)).toBe('Jumat');
    expect(formalDateWords(lateUtc)).toBe('Jumat tanggal dua puluh tujuh bulan November tahun dua ribu dua puluh enam');
  });

  it('should format calendar dates without shifting them', () => {
    expect(formatDateId('2026-01-01')).toBe('1 Januari 2026');
    expect(dayNameId('2026-12-31')).toBe('Kamis');
  });
});
