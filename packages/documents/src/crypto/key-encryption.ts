import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { documentErrors } from '../errors/document-errors';

const PREFIX = 'betang-key.v1';
// scrypt N=2^15, r=8, p=1: ~32 MiB and tens of ms, so a weak master secret is still costly to guess.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const AAD = Buffer.from('betang/documents/private-key/v1');

function deriveKey(masterSecret: string, salt: Buffer): Buffer {
  return scryptSync(Buffer.from(masterSecret, 'utf8'), salt, 32, SCRYPT);
}

function assertSecret(masterSecret: string): void {
  if (typeof masterSecret !== 'string' || Buffer.byteLength(masterSecret, 'utf8') < 16) {
    throw documentErrors.invalidArgument('masterSecret must be at least 16 bytes');
  }
}

/**
 * Encrypts a PEM private key with AES-256-GCM under a key derived from `masterSecret` by
 * scrypt (fresh random salt and IV each call). Returns a printable
 * `betang-key.v1.<salt>.<iv>.<tag>.<ciphertext>` string (base64url parts) safe to store in a
 * database column. The plaintext key never leaves memory unencrypted through this package.
 */
export function encryptPrivateKey(privateKeyPem: string, masterSecret: string): string {
  assertSecret(masterSecret);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(masterSecret, salt), iv);
  cipher.setAAD(AAD);
  const ct = Buffer.concat([cipher.update(privateKeyPem, 'utf8'), cipher.final()]);
  return [PREFIX, salt, iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/**
 * Decrypts a blob made by encryptPrivateKey. Any wrong secret, truncation or bit flip fails the
 * GCM tag check and throws DocumentError KEY_DECRYPTION_FAILED (never returns garbage).
 */
export function decryptPrivateKey(encrypted: string, masterSecret: string): string {
  assertSecret(masterSecret);
  const parts = typeof encrypted === 'string' ? encrypted.split('.') : [];
  if (parts.length !== 6 || `${parts[0]}.${parts[1]}` !== PREFIX) throw documentErrors.keyDecryptionFailed();
  const [salt, iv, tag, ct] = parts.slice(2).map((p) => Buffer.from(p, 'base64url'));
  if (!salt || !iv || !tag || !ct || salt.length !== 16 || iv.length !== 12 || tag.length !== 16)
    throw documentErrors.keyDecryptionFailed();
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(masterSecret, salt), iv);
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch {
    throw documentErrors.keyDecryptionFailed();
  }
}
