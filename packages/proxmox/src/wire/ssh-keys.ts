/**
 * PVE's `sshkeys` value: OpenSSH public keys, one per line, percent-encoded *before* the form
 * encoding (so `%20` travels as `%2520`). The server accepts only `[-%a-zA-Z0-9_.!~*'()]`
 * (400 `invalid urlencoded string` otherwise) and runs each line through `ssh-keygen -l`.
 */

const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];
const PVE_SSHKEYS_ALPHABET = /^[-%a-zA-Z0-9_.!~*'()]*$/;
// Type, base64 blob, optional single-line comment without control characters.
const KEY_LINE = /^(\S+) ([A-Za-z0-9+/]+={0,3})(?: ([^\p{Cc}]*))?$/u;

/** A public key PVE would reject (checked locally before sending). */
export class InvalidSshKeyError extends Error {
  override readonly name = 'InvalidSshKeyError';
}

/** Checks one OpenSSH public key line; throws InvalidSshKeyError with a bilingual message. */
export function assertSshPublicKey(key: string): void {
  const m = KEY_LINE.exec(key);
  if (!m || !KEY_TYPES.includes(m[1] as string)) {
    throw new InvalidSshKeyError(`kunci SSH tidak valid / invalid SSH public key: ${JSON.stringify(key.slice(0, 60))}`);
  }
  const blob = Buffer.from(m[2] as string, 'base64');
  // The blob starts with the key type as an SSH string: a forged type line is caught here.
  const typeLen = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (typeLen <= 0 || 4 + typeLen > blob.length || blob.subarray(4, 4 + typeLen).toString('latin1') !== m[1]) {
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
