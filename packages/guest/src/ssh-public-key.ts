import { createHash } from 'node:crypto';
import { parseSshPublicKey as parseKeyLine, type SshPublicKey as ParsedKey, type SshPublicKeyError } from '@betang/core';

export { MIN_RSA_BITS, SshPublicKeyErrorCode, SUPPORTED_SSH_KEY_TYPES, sanitiseSshKeyComment } from '@betang/core';
export type { SshKeyType, SshPublicKeyError } from '@betang/core';

/** A validated key (see core's parser) plus its fingerprint. */
export type SshPublicKey = ParsedKey & {
  /** `SHA256:…` exactly as `ssh-keygen -l` prints it. */
  fingerprint: string;
};
export type SshPublicKeyResult = { ok: true; key: SshPublicKey } | { ok: false; error: SshPublicKeyError };

/**
 * Parses and validates one OpenSSH public key line with the one parser Betang has
 * (@betang/core, shared with the API and the web form) and adds the SHA-256 fingerprint.
 * Never throws.
 */
export function parseSshPublicKey(input: string): SshPublicKeyResult {
  const result = parseKeyLine(input);
  if (!result.ok) return result;
  const digest = createHash('sha256').update(Buffer.from(result.key.base64, 'base64')).digest('base64').replace(/=+$/, '');
  return { ok: true, key: { ...result.key, fingerprint: `SHA256:${digest}` } };
}
