/**
 * PVE's `sshkeys` value: OpenSSH public keys, one per line, percent-encoded *before* the form
 * encoding (so `%20` travels as `%2520`). The server accepts only `[-%a-zA-Z0-9_.!~*'()]`
 * (400 `invalid urlencoded string` otherwise) and runs each line through `ssh-keygen -l`.
 */

import { createPublicKey } from 'node:crypto';
import { utils } from 'ssh2';

const SK_PLAIN_TYPES: Record<string, string> = {
  'sk-ssh-ed25519@openssh.com': 'ssh-ed25519',
  'sk-ecdsa-sha2-nistp256@openssh.com': 'ecdsa-sha2-nistp256',
};
const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  ...Object.keys(SK_PLAIN_TYPES),
];
const PVE_SSHKEYS_ALPHABET = /^[-%a-zA-Z0-9_.!~*'()]*$/;
// Type, padded base64 blob, optional single-line comment without control characters.
const KEY_LINE = /^(\S+) ([A-Za-z0-9+/]+={0,2})(?: ([^\p{Cc}]*))?$/u;

/** A public key PVE would reject (checked locally before sending). */
export class InvalidSshKeyError extends Error {
  override readonly name = 'InvalidSshKeyError';
}

/** The SSH strings of a blob, or null when one is cut short. */
function sshStrings(blob: Buffer): Buffer[] | null {
  const out: Buffer[] = [];
  for (let pos = 0; pos < blob.length;) {
    if (pos + 4 > blob.length) return null;
    const length = blob.readUInt32BE(pos);
    if (pos + 4 + length > blob.length) return null;
    out.push(blob.subarray(pos + 4, pos + 4 + length));
    pos += 4 + length;
  }
  return out;
}

function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * The plain key a blob carries, in the form ssh2 reads: the blob itself, or for a security-key
 * (sk-) type — unknown to ssh2 — its ed25519 or P-256 key without the FIDO application (which
 * must be there, without NUL, as OpenSSH reads it). Null when the layout is wrong.
 */
function plainKey(type: string, blob: Buffer): { type: string; blob: Buffer } | null {
  const plainType = SK_PLAIN_TYPES[type];
  if (!plainType) return { type, blob };
  const strings = sshStrings(blob);
  if (!strings || strings.length < 3) return null;
  const application = strings[strings.length - 1]!;
  if (application.includes(0)) return null;
  return { type: plainType, blob: Buffer.concat([sshString(Buffer.from(plainType)), ...strings.slice(1, -1).map(sshString)]) };
}

/** Whether ssh2 reads the key, writes the same blob back, and OpenSSL (node:crypto) loads it: what `ssh-keygen -l` decides. */
function isSoundKey(type: string, blob: Buffer): boolean {
  const plain = plainKey(type, blob);
  if (!plain) return false;
  const parsed = utils.parseKey(`${plain.type} ${plain.blob.toString('base64')}`);
  if (parsed instanceof Error || parsed.isPrivateKey() || parsed.type !== plain.type || !parsed.getPublicSSH().equals(plain.blob))
    return false;
  try {
    createPublicKey(parsed.getPublicPEM());
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks one OpenSSH public key line the way PVE's `ssh-keygen -l` will: a known type, a blob of
 * that type (read by ssh2, re-encoded identically, loaded by node:crypto, so an EC point off its
 * curve or a trailing byte is caught here). Throws InvalidSshKeyError with a bilingual message.
 */
export function assertSshPublicKey(key: string): void {
  const m = KEY_LINE.exec(key);
  if (!m || !KEY_TYPES.includes(m[1] as string) || (m[2] as string).length % 4 !== 0) {
    throw new InvalidSshKeyError(`kunci SSH tidak valid / invalid SSH public key: ${JSON.stringify(key.slice(0, 60))}`);
  }
  const type = m[1] as string;
  const blob = Buffer.from(m[2] as string, 'base64');
  const strings = sshStrings(blob);
  // The blob starts with the key type as an SSH string: a forged type line is caught here.
  if (!strings || strings[0]?.toString('latin1') !== type || !isSoundKey(type, blob)) {
    throw new InvalidSshKeyError(`kunci SSH rusak / corrupt SSH public key: ${JSON.stringify(key.slice(0, 60))}`);
  }
}

/**
 * Encodes keys for PVE's `sshkeys` parameter. Validates every key first, trims each, joins
 * with `\n` and percent-encodes with `encodeURIComponent`, whose output alphabet is exactly
 * what PVE accepts. Pass the result as a normal parameter: the form encoder encodes it a
 * second time, which is what PVE expects. Throws for an empty list or any invalid key.
 */
export function encodeSshKeys(keys: readonly string[]): string {
  const lines = keys.map((k) => k.trim()).filter((k) => k.length > 0);
  if (lines.length === 0) throw new InvalidSshKeyError('tidak ada kunci SSH / no SSH keys given');
  for (const line of lines) assertSshPublicKey(line);
  const encoded = encodeURIComponent(lines.join('\n'));
  if (!PVE_SSHKEYS_ALPHABET.test(encoded)) throw new InvalidSshKeyError('encoding failed');
  return encoded;
}

/**
 * Decodes the `sshkeys` value from `GET .../config` (still percent-encoded on the wire) into
 * key lines. Tolerates `+` left by foreign tools only as a literal `+` (PVE never stores `+`
 * for space). Throws InvalidSshKeyError on malformed percent-encoding.
 */
export function decodeSshKeys(value: string | null | undefined): string[] {
  if (typeof value !== 'string' || value.length === 0) return [];
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    throw new InvalidSshKeyError('sshkeys bukan urlencode yang sah / sshkeys is not valid percent-encoding');
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}
