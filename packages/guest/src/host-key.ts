import { createHash, timingSafeEqual } from 'node:crypto';
import { GuestError, GuestErrorCode } from './guest-errors';
import { readSshKeyBlob } from '@betang/core';

/** A host key to trust: its blob, the algorithms that present it, and its fingerprint. */
type PinnedHostKey = { type: string; blob: Buffer; fingerprint: string; algorithms: string[] };

const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  // OpenSSH ≥ 8.8 refuses SHA-1 signatures, so an RSA host key is only reachable with rsa-sha2-*.
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256'],
};

/** `SHA256:…` exactly as `ssh-keygen -l` prints it. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Parses a pinned host key line (`ssh-ed25519 AAAA… [comment]`, as in
 * /etc/ssh/ssh_host_ed25519_key.pub). Guarantees: the blob is well formed and its embedded
 * type equals the written one; throws GuestError(InvalidPinnedHostKey) otherwise.
 */
export function parsePinnedHostKey(line: string): PinnedHostKey {
  const invalid = () =>
    new GuestError(
      GuestErrorCode.InvalidPinnedHostKey,
      {
        id: 'Kunci host yang disematkan tidak sah; harus berupa satu baris seperti "ssh-ed25519 AAAA…".',
        en: 'The pinned host key is invalid; it must be one line such as "ssh-ed25519 AAAA…".',
      },
      false,
    );
  const [type = '', data = ''] = line.trim().split(/ +/);
  const algorithms = HOST_KEY_ALGORITHMS[type];
  if (!algorithms || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) throw invalid();
  const blob = Buffer.from(data, 'base64');
  try {
    if (readSshKeyBlob(blob).type !== type) throw invalid();
  } catch {
    throw invalid();
  }
  return { type, blob, fingerprint: sshFingerprint(blob), algorithms };
}

/** Constant-time comparison of a presented host key blob with the pinned one. */
export function isPinnedHostKey(pinned: PinnedHostKey, presented: Buffer): boolean {
  return presented.length === pinned.blob.length && timingSafeEqual(presented, pinned.blob);
}
