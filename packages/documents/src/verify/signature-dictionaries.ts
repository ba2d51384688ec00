import { documentErrors } from '../errors/document-errors';
import { readPdfString } from './pdf-literal';

/** A signature dictionary as found in the file, before any cryptographic check. */
export type FoundSignature = {
  byteRange: [number, number, number, number];
  /** Decoded /Contents (DER CMS followed by zero padding). */
  contents: Buffer;
  subFilter?: string;
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  m?: string;
};

const KEY_END = /[\s(<[/]/;
/** More signature dictionaries than this is hostile (each one means hashing up to the whole file). */
const MAX_SIGNATURES = 32;
/** `/ByteRange` keys looked at, duplicates included (each is parsed). */
const MAX_BYTE_RANGE_KEYS = 4 * MAX_SIGNATURES;

function findKey(pdf: Buffer, key: string, from: number, to: number): number {
  for (let i = pdf.indexOf(key, from, 'latin1'); i >= 0 && i < to; i = pdf.indexOf(key, i + 1, 'latin1')) {
    const next = pdf[i + key.length];
    if (next !== undefined && KEY_END.test(String.fromCharCode(next))) {
      let j = i + key.length;
      while (j < to && /\s/.test(String.fromCharCode(pdf[j] ?? 0))) j++;
      return j;
    }
  }
  return -1;
}

function stringField(pdf: Buffer, key: string, windows: Array<[number, number]>): string | undefined {
  for (const [from, to] of windows) {
    const at = findKey(pdf, key, from, to);
    const v = at >= 0 ? readPdfString(pdf, at, Math.min(4096, to - at)) : undefined;
    if (v !== undefined) return v;
  }
  return undefined;
}

function parseByteRange(pdf: Buffer, at: number): [number, number, number, number] {
  const text = pdf.subarray(at, at + 120).toString('latin1');
  const m = /^\/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]/.exec(text);
  if (!m) throw documentErrors.signatureMalformed('/ByteRange is not an array of four integers');
  const r = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number];
  const [a, b, c, d] = r;
  if (a !== 0 || b <= 0 || c <= b + 1)
    throw documentErrors.signatureMalformed(`/ByteRange ${r.join(' ')} is not a single gap starting at 0`);
  if (c + d > pdf.length) throw documentErrors.truncated(`/ByteRange ${r.join(' ')} points past the end (${pdf.length})`);
  if (at >= b && at < c) throw documentErrors.signatureMalformed('/ByteRange lies inside its own gap');
  return r;
}

/**
 * Every signature dictionary (a `/ByteRange` with its `/Contents` gap) in file order,
 * de-duplicated by byte range. Throws SIGNATURE_MALFORMED / TRUNCATED for a byte range that
 * is not four integers, does not start at 0, points past the end, or whose gap is not a
 * `<hex>` string. Linear in the file size.
 */
export function findSignatureDictionaries(pdf: Buffer): FoundSignature[] {
  const out = new Map<string, FoundSignature>();
  let keys = 0;
  for (let p = pdf.indexOf('/ByteRange', 0, 'latin1'); p >= 0; p = pdf.indexOf('/ByteRange', p + 10, 'latin1')) {
    if (++keys > MAX_BYTE_RANGE_KEYS) throw documentErrors.signatureMalformed(`more than ${MAX_BYTE_RANGE_KEYS} /ByteRange keys`);
    const byteRange = parseByteRange(pdf, p);
    const key = byteRange.join(' ');
    if (out.has(key)) continue;
    if (out.size >= MAX_SIGNATURES) throw documentErrors.signatureMalformed(`more than ${MAX_SIGNATURES} signatures`);
    const [, b, c] = byteRange;
    if (pdf[b] !== 0x3c || pdf[c - 1] !== 0x3e) throw documentErrors.signatureMalformed('/Contents does not fill the /ByteRange gap');
    const hex = pdf.subarray(b + 1, c - 1).toString('latin1');
    if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
      throw documentErrors.signatureMalformed('/Contents is not an even-length hex string');
    }
    const objStart = Math.max(0, pdf.lastIndexOf('obj', Math.min(p, b), 'latin1'), Math.min(p, b) - 8192);
    const endObj = pdf.indexOf('endobj', Math.max(p, c), 'latin1');
    const objEnd = endObj < 0 ? Math.min(pdf.length, Math.max(p, c) + 8192) : Math.min(endObj, Math.max(p, c) + 8192);
    const windows: Array<[number, number]> = [
      [objStart, b],
      [c, objEnd],
    ];
    const sub = /\/SubFilter\s*\/([A-Za-z0-9.#_-]{1,64})/.exec(
      pdf.subarray(objStart, b).toString('latin1') + pdf.subarray(c, objEnd).toString('latin1'),
    );
    out.set(key, {
      byteRange,
      contents: Buffer.from(hex, 'hex'),
      subFilter: sub?.[1],
      name: stringField(pdf, '/Name', windows),
      reason: stringField(pdf, '/Reason', windows),
      location: stringField(pdf, '/Location', windows),
      contactInfo: stringField(pdf, '/ContactInfo', windows),
      m: stringField(pdf, '/M', windows),
    });
  }
  return [...out.values()].sort((x, y) => x.byteRange[2] + x.byteRange[3] - (y.byteRange[2] + y.byteRange[3]));
}
