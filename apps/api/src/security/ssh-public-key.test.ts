import { SshPublicKeyErrorCode } from '@betang/core';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySshPublicKey } from './ssh-public-key';

// Public key lines from OpenSSH's own regression data (openssh-portable,
// regress/unittests/sshkey/testdata/{ed25519,ecdsa}_sk1.pub and .fp): ssh-keygen cannot make
// security-key (FIDO) keys without a token.
const SK_ED25519 = {
  line: 'sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAICFo/k5LU8863u66YC9eUO2170QduohPURkQnbLa/dczAAAABHNzaDo= ED25519-SK test key #1',
  fingerprint: 'SHA256:6WZVJ44bqhAWLVP4Ns0TDkoSQSsZo/h2K+mEvOaNFbw',
};
const SK_ECDSA = {
  line: 'sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBGdVPkKOLUMZ7b6rZfS8BOHotic4NX4MmuyEmiuvkaeKlbb1F+5oNezRYHpcF6P104trNVEONCu1XX1CA7px+QUAAAAEc3NoOg== ECDSA-SK test key #1',
  fingerprint: 'SHA256:Go7HO0CVPYG+BSDSk9ZUJBKGSrtBExp6obTa9iqzIUo',
};

const dir = mkdtempSync(join(tmpdir(), 'betang-sshverdict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** OpenSSH's verdict: `ssh-keygen -l -E sha256 -f` on a file holding the line. */
function opensshVerdict(line: string): { accepted: boolean; fingerprint?: string } {
  const file = join(dir, 'probe.pub');
  writeFileSync(file, `${line}\n`);
  const run = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' });
  return run.status === 0 ? { accepted: true, fingerprint: run.stdout.split(' ')[1] } : { accepted: false };
}

function generate(name: string, args: string[]): string {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-C', `${name}@betang-test`, '-f', file, ...args]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

function sshString(bytes: Buffer | string): Buffer {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(b.length);
  return Buffer.concat([length, b]);
}
const blobOf = (line: string) => Buffer.from(line.split(' ')[1]!, 'base64');
const lineOf = (type: string, blob: Buffer, comment = 'rusak@test') => `${type} ${blob.toString('base64')} ${comment}`;

type Case = { label: string; line: string; policy?: SshPublicKeyErrorCode };

function cases(): Case[] {
  const ed25519 = generate('ed25519', ['-t', 'ed25519']);
  const p256 = generate('p256', ['-t', 'ecdsa', '-b', '256']);
  const p384 = generate('p384', ['-t', 'ecdsa', '-b', '384']);
  const p521 = generate('p521', ['-t', 'ecdsa', '-b', '521']);
  const rsa1024 = generate('rsa1024', ['-t', 'rsa', '-b', '1024']);
  const rsa2048 = generate('rsa2048', ['-t', 'rsa', '-b', '2048']);
  const rsa3072 = generate('rsa3072', ['-t', 'rsa', '-b', '3072']);
  const rsa4096 = generate('rsa4096', ['-t', 'rsa', '-b', '4096']);
  const [, , point256] = ((blob) => {
    const strings: Buffer[] = [];
    for (let pos = 0; pos < blob.length;) {
      const length = blob.readUInt32BE(pos);
      strings.push(blob.subarray(pos + 4, pos + 4 + length));
      pos += 4 + length;
    }
    return strings;
  })(blobOf(p256)) as [Buffer, Buffer, Buffer];
  const offCurve = Buffer.from(point256);
  offCurve[64] = offCurve[64]! ^ 1;
  const compressed = Buffer.concat([Buffer.from([0x02 + (point256[64]! & 1)]), point256.subarray(1, 33)]);
  const edKey = blobOf(ed25519).subarray(-32);
  return [
    { label: 'ed25519', line: ed25519 },
    { label: 'ECDSA P-256', line: p256 },
    { label: 'ECDSA P-384', line: p384 },
    { label: 'ECDSA P-521', line: p521 },
    { label: 'RSA 3072', line: rsa3072 },
    { label: 'RSA 4096', line: rsa4096 },
    { label: 'RSA 2048 (policy: below 3072 bits)', line: rsa2048, policy: SshPublicKeyErrorCode.RsaTooShort },
    { label: 'RSA 1024 (policy: below 3072 bits)', line: rsa1024, policy: SshPublicKeyErrorCode.RsaTooShort },
    { label: 'sk-ssh-ed25519 (OpenSSH test data)', line: SK_ED25519.line },
    { label: 'sk-ecdsa-sha2-nistp256 (OpenSSH test data)', line: SK_ECDSA.line },
    { label: 'unicode comment', line: `${ed25519.split(' ').slice(0, 2).join(' ')} Budi Santoso — Dinas Kominfo Kalteng ✓ 日本` },
    { label: 'no comment', line: ed25519.split(' ').slice(0, 2).join(' ') },
    { label: 'tabs between the fields', line: ed25519.split(' ').join('\t') },
    { label: 'base64 without its padding', line: p256.replace(/=+ /, ' ') },
    {
      label: 'options from= and command= (policy: refused, not stripped)',
      line: `from="10.0.0.1",command="x" ${ed25519}`,
      policy: SshPublicKeyErrorCode.OptionsNotAllowed,
    },
    { label: 'restrict option (policy)', line: `restrict ${p256}`, policy: SshPublicKeyErrorCode.OptionsNotAllowed },
    { label: 'truncated base64 (ed25519)', line: ed25519.replace(/ (\S+)/, (_m, b64: string) => ` ${b64.slice(0, -8)}`) },
    { label: 'truncated base64 (RSA 4096)', line: rsa4096.replace(/ (\S+)/, (_m, b64: string) => ` ${b64.slice(0, -12)}`) },
    { label: 'ssh-rsa written before an ed25519 blob', line: `ssh-rsa ${ed25519.split(' ')[1]} x` },
    { label: 'P-384 written before a P-256 blob', line: `ecdsa-sha2-nistp384 ${p256.split(' ')[1]} x` },
    { label: 'ssh-ed25519 written before an sk-ed25519 blob', line: `ssh-ed25519 ${SK_ED25519.line.split(' ')[1]}` },
    { label: 'a byte after the key', line: lineOf('ssh-ed25519', Buffer.concat([blobOf(ed25519), Buffer.from([0])])) },
    {
      label: 'ed25519 key of 31 bytes',
      line: lineOf('ssh-ed25519', Buffer.concat([sshString('ssh-ed25519'), sshString(edKey.subarray(1))])),
    },
    {
      label: 'P-256 point off the curve',
      line: lineOf('ecdsa-sha2-nistp256', Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(offCurve)])),
    },
    {
      label: 'P-256 type with the curve name nistp384 inside',
      line: lineOf('ecdsa-sha2-nistp256', Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp384'), sshString(point256)])),
    },
    {
      label: 'P-256 compressed point',
      line: lineOf('ecdsa-sha2-nistp256', Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(compressed)])),
    },
    {
      label: 'sk-ecdsa with a point off the curve',
      line: lineOf(
        'sk-ecdsa-sha2-nistp256@openssh.com',
        Buffer.concat([sshString('sk-ecdsa-sha2-nistp256@openssh.com'), sshString('nistp256'), sshString(offCurve), sshString('ssh:')]),
      ),
    },
    {
      label: 'sk-ed25519 without its application',
      line: lineOf('sk-ssh-ed25519@openssh.com', Buffer.concat([sshString('sk-ssh-ed25519@openssh.com'), sshString(edKey)])),
    },
    {
      label: 'sk-ed25519 with a NUL in its application',
      line: lineOf(
        'sk-ssh-ed25519@openssh.com',
        Buffer.concat([sshString('sk-ssh-ed25519@openssh.com'), sshString(edKey), sshString('ssh:\u0000x')]),
      ),
    },
    { label: 'not base64', line: 'ssh-ed25519 AAAA!!!! x' },
    { label: 'unknown type', line: 'ssh-foo AAAAB3NzaC1mb28= x' },
  ];
}

describe('verifySshPublicKey: the same verdict and fingerprint as ssh-keygen -l', () => {
  let all: Case[];
  beforeAll(() => {
    all = cases();
  }, 120_000);

  it('should accept and refuse exactly as OpenSSH does, apart from the documented policy refusals', () => {
    const differences: string[] = [];
    for (const { label, line, policy } of all) {
      const openssh = opensshVerdict(line);
      const ours = verifySshPublicKey(line);
      if (policy) {
        if (!openssh.accepted) differences.push(`${label}: a policy case OpenSSH refuses on its own`);
        if (ours.ok || ours.error.code !== policy)
          differences.push(`${label}: expected the policy refusal ${policy}, got ${ours.ok ? 'accepted' : ours.error.code}`);
        continue;
      }
      if (ours.ok !== openssh.accepted)
        differences.push(
          `${label}: OpenSSH ${openssh.accepted ? 'accepts' : 'refuses'}, Betang ${ours.ok ? 'accepts' : `refuses (${ours.error.code})`}`,
        );
      if (ours.ok && openssh.accepted && ours.key.fingerprint !== openssh.fingerprint)
        differences.push(`${label}: fingerprint ${ours.key.fingerprint} ≠ ${openssh.fingerprint}`);
    }
    expect(differences).toEqual([]);
  });

  it('should give the fingerprints recorded in OpenSSH test data for the security-key lines', () => {
    for (const sk of [SK_ED25519, SK_ECDSA]) {
      const verdict = verifySshPublicKey(sk.line);
      expect(verdict.ok && verdict.key.fingerprint).toBe(sk.fingerprint);
    }
  });

  it('should store a normalised line: single spaces, ASCII comment', () => {
    const verdict = verifySshPublicKey(all.find((c) => c.label === 'unicode comment')!.line);
    expect(verdict.ok && verdict.key.comment).toBe('Budi Santoso _ Dinas Kominfo Kalteng _ __');
    const tabs = verifySshPublicKey(all.find((c) => c.label === 'tabs between the fields')!.line);
    expect(tabs.ok && tabs.key.line).toMatch(/^ssh-ed25519 \S+ ed25519@betang-test$/);
  });

  it('should refuse every broken key with a bilingual message', () => {
    for (const { line } of all) {
      const verdict = verifySshPublicKey(line);
      if (verdict.ok) continue;
      expect(verdict.error.message.id).toMatch(/\S/);
      expect(verdict.error.message.en).toMatch(/\S/);
      expect(verdict.error.message.id).not.toBe(verdict.error.message.en);
    }
  });
});
