/**
 * Reads the PDF string object starting at `at` (a literal `( … )` with escapes and balanced
 * parentheses, or a hex `< … >`) and decodes it as a text string (UTF-16BE with BOM, UTF-8
 * with BOM, else PDFDocEncoding approximated by Latin-1). Returns undefined when no string
 * starts there. Bounded by `limit` bytes so hostile input cannot make it scan the whole file.
 */
export function readPdfString(pdf: Buffer, at: number, limit = 4096): string | undefined {
  const end = Math.min(pdf.length, at + limit);
  let bytes: number[] = [];
  if (pdf[at] === 0x3c && pdf[at + 1] !== 0x3c) {
    const close = pdf.indexOf(0x3e, at);
    if (close < 0 || close >= end) return undefined;
    const hex = pdf
      .subarray(at + 1, close)
      .toString('latin1')
      .replace(/\s+/g, '');
    if (!/^[0-9a-fA-F]*$/.test(hex)) return undefined;
    bytes = [...Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex')];
  } else if (pdf[at] === 0x28) {
    let depth = 1;
    let i = at + 1;
    for (; i < end && depth > 0; i++) {
      const c = byteAt(pdf, i);
      if (c === 0x5c) {
        i++;
        const escaped = byteAt(pdf, i);
        const e = String.fromCharCode(escaped);
        const named = ESCAPES[e];
        if (named !== undefined) bytes.push(named);
        else if (/[0-7]/.test(e)) {
          let oct = e;
          while (oct.length < 3 && /[0-7]/.test(String.fromCharCode(byteAt(pdf, i + 1)))) oct += String.fromCharCode(byteAt(pdf, ++i));
          bytes.push(parseInt(oct, 8) & 0xff);
        } else if (e !== '\n' && e !== '\r') bytes.push(escaped);
        continue;
      }
      if (c === 0x28) depth++;
      if (c === 0x29 && --depth === 0) break;
      bytes.push(c);
    }
    if (depth !== 0) return undefined;
  } else return undefined;
  return decodeTextString(Buffer.from(bytes));
}

function decodeTextString(b: Buffer): string {
  if (b[0] === 0xfe && b[1] === 0xff) return Buffer.from(b.subarray(2)).swap16().toString('utf16le');
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  return b.toString('latin1');
}

/** Parses a PDF date `D:YYYYMMDDHHmmSS+HH'mm'` into a Date (undefined when malformed). */
export function parsePdfDate(s: string | undefined): Date | undefined {
  const m = s ? /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/.exec(s) : null;
  if (!m) return undefined;
  const n = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  const utc = Date.UTC(n(m[1], 0), n(m[2], 1) - 1, n(m[3], 1), n(m[4], 0), n(m[5], 0), n(m[6], 0));
  const sign = m[7] === '-' ? -1 : m[7] === '+' ? 1 : 0;
  const d = new Date(utc - sign * (n(m[8], 0) * 60 + n(m[9], 0)) * 60_000);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const ESCAPES: Readonly<Record<string, number>> = { n: 10, r: 13, t: 9, b: 8, f: 12 };

/**
 * The byte at `i`, or 0 (NUL) past the end of the buffer. NUL is neither an escape letter nor
 * an octal digit, so a string cut off right after a backslash stays unterminated and is
 * rejected by the depth check.
 */
function byteAt(pdf: Buffer, i: number): number {
  return pdf[i] ?? 0;
}
