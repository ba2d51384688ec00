import { toWib } from '../agreement/indonesian-format';

/**
 * Encodes a PDF text string: a literal `( … )` with escapes when the text is printable ASCII,
 * otherwise UTF-16BE with a byte-order mark as a hex string (PDF 32000-1 §7.9.2.2).
 */
export function pdfTextString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  const utf16 = Buffer.from(text, 'utf16le').swap16();
  return `<FEFF${utf16.toString('hex').toUpperCase()}>`;
}

/** PDF date string in WIB: `D:20261127103000+07'00'`. */
export function pdfDateWib(d: Date): string {
  const c = toWib(d);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const seconds = new Date(d.getTime()).getUTCSeconds();
  return `D:${p(c.year, 4)}${p(c.month)}${p(c.day)}${p(c.hour)}${p(c.minute)}${p(seconds)}+07'00'`;
}
