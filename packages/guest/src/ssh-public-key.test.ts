import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSshPublicKey, sanitiseSshKeyComment, SshPublicKeyErrorCode } from './ssh-public-key';

type Generated = { line: string; fingerprint: string };
const dir = mkdtempSync(join(tmpdir(), 'betang-sshkey-'));
const keys: Record<string, Generated> = {};

function generate(name: string, args: string[]): Generated {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-C', `${name}@test`, '-f', file, ...args]);
  const line = readFileSync(`${file}.pub`, 'utf8');
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  return { line, fingerprint };
}

beforeAll(() => {
  keys.ed25519 = generate('ed25519', ['-t', 'ed25519']);
  keys.p256 = generate('p256', ['-t', 'ecdsa', '-b', '256']);
  keys.p384 = generate('p384', ['-t', 'ecdsa', '-b', '384']);
  keys.p521 = generate('p521', ['-t', 'ecdsa', '-b', '521']);
  keys.rsa3072 = generate('rsa3072', ['-t', 'rsa', '-b', '3072']);
  keys.rsa2048 = generate('rsa2048', ['-t', 'rsa', '-b', '2048']);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(line: string): string | undefined {
  const r = parseSshPublicKey(line);
  return r.ok ? undefined : r.error.code;
}

function parts(line: string): [string, string] {
  const [type, data] = line.trim().split(' ');
  return [type!, data!];
}

describe('parseSshPublicKey', () => {
  it.each([
    ['ed25519', 'ssh-ed25519', 256],
    ['p256', 'ecdsa-sha2-nistp256', 256],
    ['p384', 'ecdsa-sha2-nistp384', 384],
    ['p521', 'ecdsa-sha2-nistp521', 521],
    ['rsa3072', 'ssh-rsa', 3072],
  ])('should accept a real %s key with the fingerprint ssh-keygen prints', (name, type, bits) => {
    const r = parseSshPublicKey(keys[name]!.line);
    if (!r.ok) throw new Error(r.error.code);
    expect(r.key.type).toBe(type);
    expect(r.key.bits).toBe(bits);
    expect(r.key.fingerprint).toBe(keys[name]!.fingerprint);
    expect(r.key.comment).toBe(`${name}@test`);
    expect(r.key.line).toBe(keys[name]!.line.trim());
  });

  it('should reject RSA shorter than 3072 bits', () => {
    expect(codeOf(keys.rsa2048!.line)).toBe(SshPublicKeyErrorCode.RsaTooShort);
  });

  it.each([
    ['command="reboot" '],
    ['command="$(reboot)",no-pty '],
    ['from="*" '],
    ['no-pty '],
    ['restrict,pty '],
    ['environment="LD_PRELOAD=/tmp/x.so" '],
  ])('should reject an options prefix %j', (prefix) => {
    expect(codeOf(prefix + keys.ed25519!.line)).toBe(SshPublicKeyErrorCode.OptionsNotAllowed);
  });

  it('should reject a second key smuggled after a newline or carriage return', () => {
    const one = keys.ed25519!.line.trim();
    const two = keys.p256!.line.trim();
    expect(codeOf(`${one}\n${two}`)).toBe(SshPublicKeyErrorCode.ControlCharacters);
    expect(codeOf(`${one}\r${two}`)).toBe(SshPublicKeyErrorCode.ControlCharacters);
    expect(codeOf(`${one} x\u2028command="reboot" ${two}`)).toBe(SshPublicKeyErrorCode.ControlCharacters);
    expect(codeOf(`${one}\u000b${two}`)).toBe(SshPublicKeyErrorCode.ControlCharacters);
  });

  it('should read tabs as field separators, as OpenSSH does, and store spaces', () => {
    const [type, data] = parts(keys.ed25519!.line);
    const r = parseSshPublicKey(`${type}\t${data}\tlaptop\t`);
    expect(r.ok && r.key.line).toBe(`${type} ${data} laptop`);
  });

  it('should accept exactly one trailing newline from a copied .pub file', () => {
    expect(parseSshPublicKey(`${keys.ed25519!.line.trim()}\n`).ok).toBe(true);
    expect(parseSshPublicKey(`${keys.ed25519!.line.trim()}\r\n`).ok).toBe(true);
  });

  it('should reject a blob whose embedded type differs from the written one', () => {
    const [, ed] = parts(keys.ed25519!.line);
    const [, p384] = parts(keys.p384!.line);
    expect(codeOf(`ssh-rsa ${ed}`)).toBe(SshPublicKeyErrorCode.TypeMismatch);
    expect(codeOf(`ecdsa-sha2-nistp256 ${p384}`)).toBe(SshPublicKeyErrorCode.TypeMismatch);
  });

  it('should reject broken base64 and malformed blobs', () => {
    const [type, data] = parts(keys.ed25519!.line);
    const blob = Buffer.from(data, 'base64');
    expect(codeOf(`${type}`)).toBe(SshPublicKeyErrorCode.Malformed);
    expect(codeOf(`${type} AAAA$(reboot)`)).toBe(SshPublicKeyErrorCode.Malformed);
    expect(codeOf(`${type} ${data.slice(0, -4)}`)).toBe(SshPublicKeyErrorCode.Malformed);
    expect(codeOf(`${type} ${Buffer.concat([blob, Buffer.from([0, 0, 0, 0])]).toString('base64')}`)).toBe(SshPublicKeyErrorCode.Malformed);
    const shortened = Buffer.from(blob);
    shortened.writeUInt32BE(31, 4 + 11); // ed25519 key length field says 31
    expect(codeOf(`${type} ${shortened.toString('base64')}`)).toBe(SshPublicKeyErrorCode.Malformed);
    expect(codeOf(`${type} ${data.replace(/=*$/, '')}=`)).toBe(SshPublicKeyErrorCode.Malformed);
  });

  it.each([
    ['ssh-dss AAAAB3NzaC1kc3MAAACBAP'],
    ['ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t'],
    ['ѕsh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA'], // Cyrillic "ѕ" look-alike
    ['$(reboot) AAAA'],
    ['`reboot` AAAA'],
  ])('should reject an unsupported or look-alike type %j', (line) => {
    expect(codeOf(line)).toBe(SshPublicKeyErrorCode.UnsupportedType);
  });

  it('should reject empty and absurdly long input', () => {
    expect(codeOf('')).toBe(SshPublicKeyErrorCode.Empty);
    expect(codeOf('   \n')).toBe(SshPublicKeyErrorCode.Empty);
    expect(codeOf(`ssh-ed25519 ${'A'.repeat(9000)}`)).toBe(SshPublicKeyErrorCode.TooLong);
  });

  it('should keep a hostile comment as inert printable text', () => {
    const [type, data] = parts(keys.ed25519!.line);
    const r = parseSshPublicKey(`${type} ${data} it's "me" $(reboot) \`id\`;  rm -rf / ñ`);
    if (!r.ok) throw new Error(r.error.code);
    expect(r.key.comment).toBe(`it's "me" $(reboot) \`id\`; rm -rf / n`);
    expect(r.key.line).toBe(`${type} ${data} ${r.key.comment}`);
  });

  it('should give every error a stable code and a message in Indonesian and English', () => {
    for (const code of Object.values(SshPublicKeyErrorCode)) expect(code).toMatch(/^SSH_KEY_[A-Z_]+$/);
    const r = parseSshPublicKey('command="x" ssh-ed25519 AAAA');
    if (r.ok) throw new Error('expected a rejection');
    expect(r.error.message.id).toMatch(/tidak diizinkan/);
    expect(r.error.message.en).toMatch(/not allowed/);
  });
});

describe('sanitiseSshKeyComment', () => {
  it('should collapse whitespace, replace non-ASCII and cap the length', () => {
    expect(sanitiseSshKeyComment('  a   b  ')).toBe('a b');
    expect(sanitiseSshKeyComment('bücher€')).toBe('bucher_');
    expect(sanitiseSshKeyComment('x'.repeat(300))).toHaveLength(100);
  });
});
