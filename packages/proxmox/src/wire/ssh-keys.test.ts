import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeParams } from '../client/encode-params';
import { assertSshPublicKey, decodeSshKeys, encodeSshKeys, InvalidSshKeyError } from './ssh-keys';

function sshString(s: Buffer | string): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

function ed25519Key(comment: string): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

describe('encodeSshKeys', () => {
  const a = ed25519Key('admin@dinas-kominfo');
  const b = ed25519Key('ops key (laptop)');

  it('should produce only the alphabet PVE accepts and decode back', () => {
    const enc = encodeSshKeys([a, ` ${b} `]);
    expect(enc).toMatch(/^[-%a-zA-Z0-9_.!~*'()]*$/);
    expect(enc).toContain('%0A');
    expect(enc).toContain('%20');
    expect(decodeSshKeys(enc)).toEqual([a, b]);
  });

  it('should be encoded twice on the wire by the form encoder (%20 -> %2520)', () => {
    const enc = encodeSshKeys([a]);
    const wire = encodeParams({ sshkeys: enc }).toString();
    expect(wire).toContain('%2520');
    expect(wire).not.toMatch(/[+/]/);
    expect(decodeURIComponent(new URLSearchParams(wire).get('sshkeys') as string)).toBe(a);
  });

  it.each([
    ['empty list', []],
    ['only blanks', ['  ']],
    ['unknown type', ['ssh-foo AAAA comment']],
    ['forged type in blob', [`ssh-rsa ${Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.alloc(32))]).toString('base64')}`]],
    ['truncated blob', ['ssh-ed25519 AAAA']],
    ['newline injection', [`${ed25519Key('x')}\nssh-ed25519 AAAA`]],
    ['private key', ['-----BEGIN OPENSSH PRIVATE KEY-----']],
  ])('should refuse %s', (_label, keys) => {
    expect(() => encodeSshKeys(keys)).toThrow(InvalidSshKeyError);
  });

  it('assertSshPublicKey should accept a real key', () => {
    expect(() => assertSshPublicKey(a)).not.toThrow();
  });
});

describe('decodeSshKeys', () => {
  it('should read what PVE returns in GET config and tolerate CRLF', () => {
    expect(decodeSshKeys('ssh-ed25519%20AAAAC3Nz%20a%40b%0D%0Assh-rsa%20AAAAB3%20c')).toEqual([
      'ssh-ed25519 AAAAC3Nz a@b',
      'ssh-rsa AAAAB3 c',
    ]);
    expect(decodeSshKeys(undefined)).toEqual([]);
  });

  it('should throw on malformed percent-encoding', () => {
    expect(() => decodeSshKeys('ssh-ed25519%2')).toThrow(InvalidSshKeyError);
  });
});

describe('assertSshPublicKey against ssh-keygen -l (what PVE runs on each line)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'betang-pve-sshkeys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const keygen = (name: string, args: string[]) => {
    execFileSync('ssh-keygen', ['-q', '-N', '', '-C', `${name}@uji`, '-f', join(dir, name), ...args]);
    return readFileSync(join(dir, `${name}.pub`), 'utf8').trim();
  };
  const opensshAccepts = (line: string) => {
    writeFileSync(join(dir, 'probe.pub'), `${line}\n`);
    return spawnSync('ssh-keygen', ['-l', '-f', join(dir, 'probe.pub')]).status === 0;
  };
  const accepts = (line: string) => {
    try {
      assertSshPublicKey(line);
      return true;
    } catch (error) {
      if (error instanceof InvalidSshKeyError) return false;
      throw error;
    }
  };

  it('should agree with OpenSSH on generated, security-key and broken keys', () => {
    const ed = keygen('ed', ['-t', 'ed25519']);
    const p256 = keygen('p256', ['-t', 'ecdsa', '-b', '256']);
    const p521 = keygen('p521', ['-t', 'ecdsa', '-b', '521']);
    const rsa = keygen('rsa', ['-t', 'rsa', '-b', '2048']);
    const p256Blob = Buffer.from(p256.split(' ')[1]!, 'base64');
    const offCurve = Buffer.from(p256Blob);
    offCurve[offCurve.length - 1] = offCurve[offCurve.length - 1]! ^ 1;
    const lines: Record<string, string> = {
      ed,
      p256,
      p521,
      rsa,
      // OpenSSH regress/unittests/sshkey/testdata/{ed25519,ecdsa}_sk1.pub
      skEd25519:
        'sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAICFo/k5LU8863u66YC9eUO2170QduohPURkQnbLa/dczAAAABHNzaDo= ED25519-SK test key #1',
      skEcdsa:
        'sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBGdVPkKOLUMZ7b6rZfS8BOHotic4NX4MmuyEmiuvkaeKlbb1F+5oNezRYHpcF6P104trNVEONCu1XX1CA7px+QUAAAAEc3NoOg== ECDSA-SK test key #1',
      offCurve: `ecdsa-sha2-nistp256 ${offCurve.toString('base64')} x`,
      trailingByte: `ssh-ed25519 ${Buffer.concat([Buffer.from(ed.split(' ')[1]!, 'base64'), Buffer.from([0])]).toString('base64')} x`,
      wrongCurveName: `ecdsa-sha2-nistp256 ${Buffer.from(p256Blob.toString('latin1').replace('nistp256', 'nistp384'), 'latin1').toString('base64')} x`,
      skWithoutApplication: `sk-ssh-ed25519@openssh.com ${Buffer.concat([sshString('sk-ssh-ed25519@openssh.com'), sshString(Buffer.alloc(32, 7))]).toString('base64')}`,
      truncated: ed.replace(/ (\S+)/, (_m, b64: string) => ` ${b64.slice(0, -8)}`),
    };
    const verdicts = Object.fromEntries(Object.entries(lines).map(([name, line]) => [name, accepts(line)]));
    const openssh = Object.fromEntries(Object.entries(lines).map(([name, line]) => [name, opensshAccepts(line)]));
    expect(verdicts).toEqual(openssh);
    expect(Object.values(openssh).filter(Boolean)).toHaveLength(6);
  }, 60_000);
});
