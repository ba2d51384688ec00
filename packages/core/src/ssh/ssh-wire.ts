/** Raised when an SSH wire-format key blob is truncated or inconsistent. */
export class SshWireError extends Error {}

type Reader = { buf: Uint8Array; pos: number };

function readString(r: Reader): Uint8Array {
  if (r.pos + 4 > r.buf.length) throw new SshWireError('truncated length');
  const len = new DataView(r.buf.buffer, r.buf.byteOffset + r.pos, 4).getUint32(0);
  r.pos += 4;
  if (len > r.buf.length - r.pos) throw new SshWireError('truncated string');
  const out = r.buf.subarray(r.pos, r.pos + len);
  r.pos += len;
  return out;
}

function mpintBits(raw: Uint8Array): number {
  if (raw.length === 0) return 0;
  if (raw[0]! & 0x80) throw new SshWireError('negative mpint');
  let i = 0;
  while (i < raw.length && raw[i] === 0) i++;
  if (i > 1 || (i === 1 && raw.length > 1 && !(raw[1]! & 0x80))) throw new SshWireError('non-minimal mpint');
  if (i === raw.length) return 0;
  return (raw.length - i - 1) * 8 + (32 - Math.clz32(raw[i]!));
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

const CURVES: Record<string, { name: string; bits: number; point: number }> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', bits: 256, point: 65 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', bits: 384, point: 97 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', bits: 521, point: 133 },
};

const SK_ED25519 = 'sk-ssh-ed25519@openssh.com';
const SK_ECDSA = 'sk-ecdsa-sha2-nistp256@openssh.com';

/** The FIDO application of a security-key (sk-) key: a string OpenSSH reads as a C string, so without NUL. */
function readApplication(r: Reader): void {
  if (readString(r).includes(0)) throw new SshWireError('NUL in the sk application');
}

function readEcPoint(r: Reader, curve: { name: string; point: number }): void {
  if (latin1(readString(r)) !== curve.name) throw new SshWireError('curve does not match key type');
  const q = readString(r);
  if (q.length !== curve.point || q[0] !== 0x04) throw new SshWireError('bad EC point');
}

/**
 * Reads an SSH public key blob (RFC 4253 §6.6, RFC 5656, RFC 8709, OpenSSH PROTOCOL.u2f for the
 * security-key types) and returns its embedded type and size. Guarantees: the whole blob is
 * consumed, with sizes that match the declared type. It checks the layout only: whether an EC
 * point lies on its curve is left to the server (apps/api, with node:crypto), which the browser
 * cannot do without a curve library.
 */
export function readSshKeyBlob(blob: Uint8Array): { type: string; bits: number } {
  const r: Reader = { buf: blob, pos: 0 };
  const type = latin1(readString(r));
  let bits: number;
  if (type === 'ssh-ed25519' || type === SK_ED25519) {
    if (readString(r).length !== 32) throw new SshWireError('ed25519 key must be 32 bytes');
    if (type === SK_ED25519) readApplication(r);
    bits = 256;
  } else if (type === SK_ECDSA) {
    readEcPoint(r, CURVES['ecdsa-sha2-nistp256']!);
    readApplication(r);
    bits = 256;
  } else if (type === 'ssh-rsa') {
    const e = readString(r);
    const n = readString(r);
    if (mpintBits(e) < 2) throw new SshWireError('bad RSA exponent');
    bits = mpintBits(n);
  } else if (CURVES[type]) {
    const curve = CURVES[type];
    readEcPoint(r, curve);
    bits = curve.bits;
  } else {
    // Unknown types are reported to the caller by name; their bodies are not checked.
    return { type, bits: 0 };
  }
  if (r.pos !== blob.length) throw new SshWireError('trailing bytes');
  return { type, bits };
}
