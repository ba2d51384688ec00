import { parseSshPublicKey, sshPublicKeyError, SshPublicKeyErrorCode, type SshPublicKey, type SshPublicKeyError } from '@betang/core';
import { createHash, createPublicKey } from 'node:crypto';
import { utils } from 'ssh2';

/** A key the server accepted: core's parse plus its fingerprint. */
type VerifiedSshPublicKey = SshPublicKey & {
  /** `SHA256:…` exactly as `ssh-keygen -l -E sha256` prints it. */
  fingerprint: string;
};
type SshKeyVerdict = { ok: true; key: VerifiedSshPublicKey } | { ok: false; error: SshPublicKeyError };

function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function readStrings(blob: Buffer, count: number): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const length = blob.readUInt32BE(pos);
    out.push(blob.subarray(pos + 4, pos + 4 + length));
    pos += 4 + length;
  }
  return out;
}

/**
 * The plain key inside a key blob, in the form ssh2 reads: the blob itself for the plain types;
 * for a security-key (sk-) type, which ssh2 does not know, the ed25519 or P-256 key it carries
 * (the FIDO application that follows is not key material). Core has already checked the layout.
 */
function plainKeyBlob(type: string, blob: Buffer): { type: string; blob: Buffer } {
  if (type === 'sk-ssh-ed25519@openssh.com') {
    const [, key] = readStrings(blob, 2) as [Buffer, Buffer];
    return { type: 'ssh-ed25519', blob: Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(key)]) };
  }
  if (type === 'sk-ecdsa-sha2-nistp256@openssh.com') {
    const [, curve, point] = readStrings(blob, 3) as [Buffer, Buffer, Buffer];
    return {
      type: 'ecdsa-sha2-nistp256',
      blob: Buffer.concat([sshString(Buffer.from('ecdsa-sha2-nistp256')), sshString(curve), sshString(point)]),
    };
  }
  return { type, blob };
}

/**
 * Whether the key material is a real public key, as OpenSSH decides it: ssh2 parses the key and
 * writes it back; the rewrite must equal the blob (so no trailing bytes, no curve name that
 * differs from the type), and OpenSSL (node:crypto) must load it (so an EC point lies on its
 * curve, an RSA key is usable).
 */
function keyMaterialIsSound(type: string, blob: Buffer): boolean {
  const plain = plainKeyBlob(type, blob);
  const parsed = utils.parseKey(`${plain.type} ${plain.blob.toString('base64')}`);
  if (parsed instanceof Error || parsed.isPrivateKey() || parsed.type !== plain.type) return false;
  if (!parsed.getPublicSSH().equals(plain.blob)) return false;
  try {
    createPublicKey(parsed.getPublicPEM());
    return true;
  } catch {
    return false;
  }
}

/** `SHA256:` + unpadded base64 of the SHA-256 of the key blob: the fingerprint ssh-keygen prints. */
function sshKeyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * The server's verdict on one OpenSSH public key line. Guarantees: it accepts exactly the keys
 * OpenSSH accepts (ssh-keygen -l), except where Betang's policy is stricter — an options
 * prefix, RSA below 3072 bits, types other than ed25519, ECDSA P-256/384/521, RSA and the two
 * security-key types — each refused with core's stable code and bilingual message; the
 * fingerprint equals ssh-keygen's. Never throws.
 */
export function verifySshPublicKey(input: string): SshKeyVerdict {
  const parsed = parseSshPublicKey(input);
  if (!parsed.ok) return parsed;
  const blob = Buffer.from(parsed.key.base64, 'base64');
  let sound: boolean;
  try {
    sound = keyMaterialIsSound(parsed.key.type, blob);
  } catch {
    sound = false;
  }
  if (!sound) return { ok: false, error: sshPublicKeyError(SshPublicKeyErrorCode.Malformed) };
  return { ok: true, key: { ...parsed.key, fingerprint: sshKeyFingerprint(blob) } };
}
