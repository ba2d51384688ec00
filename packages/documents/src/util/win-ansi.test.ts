import { toWinAnsi } from './win-ansi';

describe('toWinAnsi', () => {
  it('should keep ASCII and WinAnsi characters', () => {
    expect(toWinAnsi('Pasal 1 — “Ketentuan” € é')).toBe('Pasal 1 — “Ketentuan” € é');
  });

  it('should strip diacritics without a WinAnsi form and replace the rest', () => {
    expect(toWinAnsi('Ṭeknik')).toBe('Teknik');
    expect(toWinAnsi('a🚀b')).toBe('a?b');
    expect(toWinAnsi('a\u0000\nb')).toBe('a  b');
  });
});
