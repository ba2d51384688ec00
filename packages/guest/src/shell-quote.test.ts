import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { shellCommand, shellQuote } from './shell-quote';

const NASTY = [
  '',
  ' ',
  "'",
  "''",
  '"',
  '\\',
  "it's",
  '$(reboot)',
  '`reboot`',
  '; rm -rf /',
  '&& echo pwned',
  '| cat /etc/shadow',
  '$HOME ${PATH} $1 $@ $*',
  '*',
  '?',
  '[a-z]',
  '~root',
  'a\nb',
  '\n',
  '\t\r\v\f',
  '-n',
  '--help',
  "x' ; echo 'y",
  '!!',
  '#comment',
  'ѕudo', // Cyrillic "ѕ"
  'héllo wörld',
  '🦜 emoji',
  '\u202e\u200b',
  'a'.repeat(5000),
];

function echoedBy(shell: string, arg: string): string {
  return execFileSync(shell, ['-c', `printf %s ${shellQuote(arg)}`], { encoding: 'utf8' });
}

function randomString(): string {
  const pool = [...'abc XYZ019\'"\\$`;&|<>(){}[]*?!#~=%\n\t\r-_.,:/@^'];
  const n = randomInt(0, 40);
  let out = '';
  for (let i = 0; i < n; i++) {
    const r = randomInt(0, 10);
    if (r === 0) out += String.fromCodePoint(randomInt(0x80, 0x2fff));
    else if (r === 1) out += String.fromCharCode(randomInt(1, 32));
    else out += pool[randomInt(0, pool.length)];
  }
  return out;
}

describe('shellQuote', () => {
  it.each(NASTY.map((v) => [v.length > 40 ? `${v.slice(0, 10)}… (${v.length} chars)` : v, v]))(
    'should round-trip %j through /bin/sh and bash unchanged',
    (_label, value) => {
      expect(echoedBy('/bin/sh', value)).toBe(value);
      expect(echoedBy('bash', value)).toBe(value);
    },
  );

  it('should round-trip random hostile strings through /bin/sh (property)', () => {
    const samples = Array.from({ length: 150 }, randomString);
    // One shell process for all samples, NUL-separated (a quoted string can never hold NUL).
    const script = samples.map((s) => `printf '%s\\000' ${shellQuote(s)}`).join('\n');
    const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(samples);
  });

  it('should round-trip random bytes that are valid UTF-8 when decoded (property)', () => {
    for (let i = 0; i < 20; i++) {
      const s = randomBytes(24).toString('latin1').replace(/\0/g, '');
      expect(echoedBy('/bin/sh', s)).toBe(s);
    }
  });

  it('should keep plain words readable and quote everything else', () => {
    expect(shellQuote('web-01')).toBe('web-01');
    expect(shellQuote('/etc/ssh/sshd_config.d/50-betang.conf')).toBe('/etc/ssh/sshd_config.d/50-betang.conf');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it('should refuse a NUL byte instead of truncating', () => {
    expect(() => shellQuote('a\0b')).toThrow(TypeError);
  });
});

describe('shellCommand', () => {
  it('should pass every element as exactly one argument', () => {
    const args = ['a b', '$(id)', "'", '', '\n', '*'];
    const cmd = shellCommand(['printf', '[%s]', ...args]);
    expect(execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' })).toBe(args.map((a) => `[${a}]`).join(''));
  });

  it('should refuse an empty argv', () => {
    expect(() => shellCommand([])).toThrow(TypeError);
  });
});
