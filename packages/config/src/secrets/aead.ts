import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Prefix of a secret encrypted with the master key (format version 1). */
export const ENC_PREFIX = 'enc:v1:';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Domain separation: an enc:v1 value is bound to Betang's environment and to one variable name. */
const AAD_PREFIX = 'betang/env/v1/';

/** Why a value could not be opened; never carries the value or the key. */
type SecretFailure = 'malformed' | 'authentication';

/** Raised by openSecret/parseMasterKey; `reason` is machine-readable, the message carries no secret. */
export class SecretError extends Error {
  readonly reason: SecretFailure | 'bad-key';
  constructor(reason: SecretFailure | 'bad-key', message: string) {
    super(message);
    this.name = 'SecretError';
    this.reason = reason;
  }
}

/** True when `value` is in the enc:v1 form (it still may be malformed). */
export function isEncryptedValue(value: string | undefined): boolean {
  return typeof value === 'string' && value.startsWith(ENC_PREFIX);
}

/** A new random 32-byte master key, printed as standard base64 (44 characters). */
export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * Decodes a master key given as base64 (standard or URL alphabet, surrounding whitespace such as
 * a file's trailing newline ignored). Guarantees: returns exactly 32 bytes or throws SecretError
 * 'bad-key' whose message never contains the text it was given.
 */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new SecretError('bad-key', 'kunci induk bukan base64 / master key is not base64');
  }
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new SecretError(
      'bad-key',
      `kunci induk harus 32 byte (base64), bukan ${key.length} / master key must be 32 bytes (base64), got ${key.length}`,
    );
  }
  return key;
}

function aad(name: string): Buffer {
  return Buffer.from(AAD_PREFIX + name, 'utf8');
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new SecretError('bad-key', 'master key must be 32 bytes');
}

/**
 * Encrypts `plaintext` for the environment variable `name` with AES-256-GCM under `key`
 * (fresh random 96-bit nonce each call). Returns `enc:v1:<base64url(nonce | ciphertext | tag)>`.
 * Guarantees: the result opens only with the same key AND the same variable name (the name is
 * the additional authenticated data), so a value cannot be moved to another variable.
 */
export function sealSecret(key: Buffer, name: string, plaintext: string): string {
  assertKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(name));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ENC_PREFIX + Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

/**
 * Opens a value made by sealSecret for variable `name`. Guarantees: returns the exact plaintext,
 * or throws SecretError — 'malformed' (not enc:v1, not base64url, too short) or 'authentication'
 * (wrong key, other variable, any bit flipped or truncated) — and never returns garbage. The
 * error message never contains the value, the plaintext or the key.
 */
export function openSecret(key: Buffer, name: string, value: string): string {
  assertKey(key);
  if (!isEncryptedValue(value)) throw new SecretError('malformed', 'not an enc:v1 value');
  const body = value.slice(ENC_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new SecretError('malformed', 'enc:v1 value is not base64url');
  const raw = Buffer.from(body, 'base64url');
  if (raw.length < NONCE_BYTES + TAG_BYTES) throw new SecretError('malformed', 'enc:v1 value is too short');
  const nonce = raw.subarray(0, NONCE_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const ciphertext = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(name));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretError('authentication', 'enc:v1 value does not authenticate (wrong key, wrong variable or altered value)');
  }
}
