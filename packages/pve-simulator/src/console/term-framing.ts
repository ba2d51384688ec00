/**
 * The byte protocol termproxy (pve-xtermjs) speaks after the ticket line, client → server:
 * `0:LEN:DATA` (LEN bytes of input for the terminal), `1:COLS:ROWS:` (resize), and anything else
 * — `2` is the client's ping — skipped one byte at a time. Server → client is the terminal's raw
 * output, with no framing at all.
 */
export type TermEvent = { kind: 'data'; bytes: Buffer } | { kind: 'resize'; cols: number; rows: number };

/** A number ended by ':' at `from`: its value and the index after the ':'; 'wait' when incomplete, 'bad' when not a number. */
function numberAt(buf: Buffer, from: number): { value: number; next: number } | 'wait' | 'bad' {
  const colon = buf.indexOf(0x3a, from);
  if (colon < 0) return buf.length - from > 20 ? 'bad' : 'wait';
  const text = buf.subarray(from, colon).toString('latin1');
  if (!/^\d{1,10}$/.test(text)) return 'bad';
  return { value: Number(text), next: colon + 1 };
}

/**
 * Decodes the client's stream into terminal events. Messages may be split or joined across
 * `push` calls; data of a `0:` message is passed on as it arrives, as termproxy writes it to the
 * pty without waiting for the whole length. Never throws: unparsable bytes are dropped.
 */
export class TermDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private remaining = 0;

  push(chunk: Buffer): TermEvent[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: TermEvent[] = [];
    for (;;) {
      if (this.remaining > 0) {
        if (this.buf.length === 0) break;
        const n = Math.min(this.remaining, this.buf.length);
        out.push({ kind: 'data', bytes: Buffer.from(this.buf.subarray(0, n)) });
        this.buf = this.buf.subarray(n);
        this.remaining -= n;
        continue;
      }
      if (this.buf.length < 2) break;
      const type = this.buf[0];
      if (type === 0x30 || type === 0x31) {
        const first = numberAt(this.buf, 2);
        if (first === 'wait') break;
        if (first === 'bad') {
          this.buf = this.buf.subarray(1);
          continue;
        }
        if (type === 0x30) {
          this.remaining = first.value;
          this.buf = this.buf.subarray(first.next);
          continue;
        }
        const second = numberAt(this.buf, first.next);
        if (second === 'wait') break;
        if (second === 'bad') {
          this.buf = this.buf.subarray(1);
          continue;
        }
        out.push({ kind: 'resize', cols: first.value, rows: second.value });
        this.buf = this.buf.subarray(second.next);
        continue;
      }
      this.buf = this.buf.subarray(1);
    }
    // A lone '2' (ping) never reaches the length check above: drop it here.
    if (this.remaining === 0 && this.buf.length === 1 && this.buf[0] !== 0x30 && this.buf[0] !== 0x31) this.buf = Buffer.alloc(0);
    return out;
  }
}

/** Encodes terminal input as the xterm.js client sends it: `0:<byte length>:<data>`. */
export function encodeTermData(data: string | Buffer): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from(`0:${bytes.length}:`, 'latin1'), bytes]);
}
