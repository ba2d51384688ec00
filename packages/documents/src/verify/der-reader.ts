/** One ASN.1 element located in a buffer; `raw` is the whole TLV, `content` its value bytes. */
export type Tlv = {
  cls: number;
  constructed: boolean;
  tagNo: number;
  /** First identifier byte, e.g. 0x30 for SEQUENCE, 0xa0 for [0] constructed. */
  tag: number;
  raw: Buffer;
  content: Buffer;
};

export class DerError extends Error {}

const MAX_DEPTH = 48;

/** Reads one TLV at `offset` (definite or, for constructed values, indefinite BER length). */
export function readTlv(buf: Buffer, offset = 0, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new DerError('ASN.1 nesting too deep');
  let p = offset;
  const need = (n: number) => {
    if (p + n > buf.length) throw new DerError('ASN.1 element runs past the end');
  };
  const nextByte = (): number => {
    const b = buf[p];
    if (b === undefined) throw new DerError('ASN.1 element runs past the end');
    p++;
    return b;
  };
  need(2);
  const tag = nextByte();
  let tagNo = tag & 0x1f;
  if (tagNo === 0x1f) {
    tagNo = 0;
    for (let i = 0; ; i++) {
      need(1);
      if (i > 3) throw new DerError('ASN.1 tag number too large');
      const b = nextByte();
      tagNo = (tagNo << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
  }
  const first = nextByte();
  const constructed = (tag & 0x20) !== 0;
  let len: number;
  if (first < 0x80) len = first;
  else if (first === 0x80) {
    if (!constructed) throw new DerError('indefinite length on a primitive element');
    return readIndefinite(buf, offset, p, tag, tagNo, depth);
  } else {
    const n = first & 0x7f;
    if (n > 4) throw new DerError('ASN.1 length too large');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + nextByte();
  }
  need(len);
  return { cls: tag >> 6, constructed, tagNo, tag, raw: buf.subarray(offset, p + len), content: buf.subarray(p, p + len) };
}

function readIndefinite(buf: Buffer, offset: number, start: number, tag: number, tagNo: number, depth: number): Tlv {
  let p = start;
  for (;;) {
    if (p + 2 > buf.length) throw new DerError('unterminated indefinite-length element');
    if (buf[p] === 0 && buf[p + 1] === 0) break;
    p += readTlv(buf, p, depth + 1).raw.length;
  }
  return { cls: tag >> 6, constructed: true, tagNo, tag, raw: buf.subarray(offset, p + 2), content: buf.subarray(start, p) };
}

/** Child elements of a constructed TLV. */
export function children(t: Tlv, depth = 0): Tlv[] {
  if (!t.constructed) throw new DerError('not a constructed element');
  const out: Tlv[] = [];
  for (let p = 0; p < t.content.length; ) {
    if (t.content[p] === 0 && t.content[p + 1] === 0 && p + 2 === t.content.length) break;
    const c = readTlv(t.content, p, depth + 1);
    out.push(c);
    p += c.raw.length;
    if (out.length > 10_000) throw new DerError('too many ASN.1 elements');
  }
  return out;
}

/** Dotted-decimal OBJECT IDENTIFIER; throws DerError for a non-OID element. */
export function oidOf(t: Tlv): string {
  if (t.tag !== 0x06 || t.content.length === 0 || t.content.length > 64) throw new DerError('expected OBJECT IDENTIFIER');
  const parts: number[] = [];
  let v = 0;
  for (const b of t.content) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/** `t` itself; throws DerError naming `what` when the element is missing (a list ran short). */
export function present(t: Tlv | undefined, what: string): Tlv {
  if (!t) throw new DerError(`missing ${what}`);
  return t;
}

/** The `index`-th child of a constructed TLV; throws DerError naming `what` when there is none. */
export function childAt(t: Tlv, index: number, what: string): Tlv {
  return present(children(t)[index], what);
}

/** Expects `t` to have the given first identifier byte. */
export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new DerError(`expected ${what}`);
  return t;
}
