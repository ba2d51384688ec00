import { createHash } from 'node:crypto';

/**
 * The fingerprint of an OpenSSH public key line (`ssh-ed25519 AAAA… [comment]`) exactly as `ssh`
 * and `ssh-keygen -l` print it: "SHA256:" + unpadded base64 of the SHA-256 of the key blob.
 * Null when the line has no well-formed base64 blob (a fingerprint of garbage would mislead).
 */
export function hostKeyFingerprint(line: string): string | null {
  const data = line.trim().split(/\s+/)[1] ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return null;
  const blob = Buffer.from(data, 'base64');
  if (blob.length < 8) return null;
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
