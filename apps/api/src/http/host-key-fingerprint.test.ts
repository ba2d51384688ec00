import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostKeyFingerprint } from './host-key-fingerprint';

describe('hostKeyFingerprint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'betang-fp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['ed25519', 'ecdsa', 'rsa'])('equals what ssh-keygen -lf prints for a real %s key', (type) => {
    const file = join(dir, `key-${type}`);
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'host@example', '-f', file]);
    // "256 SHA256:abc… host@example (ED25519)"
    const printed = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1];
    expect(printed).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(hostKeyFingerprint(readFileSync(`${file}.pub`, 'utf8'))).toBe(printed);
  });

  it('refuses a line without a key blob', () => {
    expect(hostKeyFingerprint('ssh-ed25519')).toBeNull();
    expect(hostKeyFingerprint('ssh-ed25519 not*base64')).toBeNull();
  });
});
