import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh key pair made by the real ssh-keygen: { privateKey, publicKey (one line, no newline) }. */
export function generateSshKey(
  type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519',
  bits?: number,
  comment = 'test',
): { privateKey: string; publicKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'betang-key-'));
  try {
    const file = join(dir, 'key');
    execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-C', comment, '-f', file]);
    return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8').trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
