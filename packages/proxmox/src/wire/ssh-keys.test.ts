import { generateKeyPairSync } from 'node:crypto';
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
    expect(decodeSshKeys('ssh-ed25519%20AAAAC3Nz%20a%40b%0D%0Assh-rsa%20AAAAB3%20c')).toEqual(['ssh-ed25519 AAAAC3Nz a@b', 'ssh-rsa AAAAB3 c']);
    expect(decodeSshKeys(undefined)).toEqual([]);
  });

  it('should throw on malformed percent-encoding', () => {
    expect(() => decodeSshKeys('ssh-ed25519%2')).toThrow(InvalidSshKeyError);
  });
});
