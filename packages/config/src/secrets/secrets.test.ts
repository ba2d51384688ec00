import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, parseConfig, parseConfigReport, ZApiEnv, ZWorkerEnv } from '../index';
import { ENC_PREFIX, generateMasterKey, openSecret, parseMasterKey, sealSecret, SecretError } from './aead';

const KEY_TEXT = generateMasterKey();
const KEY = parseMasterKey(KEY_TEXT);
const OTHER_KEY = parseMasterKey(generateMasterKey());
const PVE_SECRET = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const SIGNING = 'rahasia-induk-penandatanganan-uji-0123456789';

function failure(fn: () => unknown): SecretError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecretError) return error;
    throw error;
  }
  throw new Error('expected a SecretError');
}

function configProblems(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('sealSecret / openSecret (AES-256-GCM, variable name as AAD)', () => {
  it('should round-trip any UTF-8 value and never produce the same text twice', () => {
    const plain = 'kata:sandi/ünïcode @ 🗝️ with spaces';
    const a = sealSecret(KEY, 'SMTP_URL', plain);
    const b = sealSecret(KEY, 'SMTP_URL', plain);
    expect(a.startsWith(ENC_PREFIX)).toBe(true);
    expect(a).not.toBe(b);
    expect(a).not.toContain(plain);
    expect(openSecret(KEY, 'SMTP_URL', a)).toBe(plain);
    expect(openSecret(KEY, 'SMTP_URL', sealSecret(KEY, 'SMTP_URL', ''))).toBe('');
  });

  it('should refuse a wrong key and a value moved to another variable', () => {
    const value = sealSecret(KEY, 'PVE_TOKEN_SECRET', PVE_SECRET);
    expect(failure(() => openSecret(OTHER_KEY, 'PVE_TOKEN_SECRET', value)).reason).toBe('authentication');
    expect(failure(() => openSecret(KEY, 'SIGNING_MASTER_SECRET', value)).reason).toBe('authentication');
  });

  it('should refuse truncated, flipped, garbled and foreign input without echoing it', () => {
    const value = sealSecret(KEY, 'PVE_TOKEN_SECRET', PVE_SECRET);
    const body = value.slice(ENC_PREFIX.length);
    const raw = Buffer.from(body, 'base64url');
    raw[20] = raw[20]! ^ 1;
    const flipped = ENC_PREFIX + raw.toString('base64url');
    const cases: [string, string][] = [
      [value.slice(0, -3), 'authentication'],
      [flipped, 'authentication'],
      [value + 'AA', 'authentication'],
      [ENC_PREFIX + 'AAAA', 'malformed'],
      [ENC_PREFIX, 'malformed'],
      [ENC_PREFIX + body.slice(0, 10) + '*' + body.slice(11), 'malformed'],
      [PVE_SECRET, 'malformed'],
      ['enc:v2:' + body, 'malformed'],
    ];
    for (const [input, reason] of cases) {
      const error = failure(() => openSecret(KEY, 'PVE_TOKEN_SECRET', input));
      expect([input, error.reason]).toEqual([input, reason]);
      expect(error.message).not.toContain(body.slice(0, 12));
    }
  });

  it('should accept only 32-byte base64 master keys, trimming a trailing newline', () => {
    expect(parseMasterKey(`${KEY_TEXT}\n`).equals(KEY)).toBe(true);
    expect(parseMasterKey(KEY.toString('base64url')).equals(KEY)).toBe(true);
    expect(failure(() => parseMasterKey(Buffer.alloc(16).toString('base64'))).reason).toBe('bad-key');
    expect(failure(() => parseMasterKey('not a key!')).message).not.toContain('not a key');
    expect(() => sealSecret(Buffer.alloc(16), 'X', 'y')).toThrow(SecretError);
  });
});

describe('parseConfig with enc:v1 values', () => {
  const base = { DATABASE_URL: 'postgres://127.0.0.1/betang', NODE_ENV: 'test' };

  it('should decrypt every enc:v1 variable before validation and keep the key out of the config', () => {
    const config = parseConfig(ZWorkerEnv, {
      ...base,
      BETANG_MASTER_KEY: KEY_TEXT,
      DATABASE_URL: sealSecret(KEY, 'DATABASE_URL', 'postgres://betang:s3cret@127.0.0.1/betang'),
      PVE_URL: 'https://pve:8006',
      PVE_POOL: 'betang',
      PVE_TOKEN_ID: 'betang@pve!prov',
      PVE_TOKEN_SECRET: sealSecret(KEY, 'PVE_TOKEN_SECRET', PVE_SECRET),
      PVE_FINGERPRINT: Array.from({ length: 32 }, () => 'AB').join(':'),
      SMTP_URL: sealSecret(KEY, 'SMTP_URL', 'smtps://u:p%40ss@mail.example:465'),
    });
    expect(config.PVE_TOKEN_SECRET).toBe(PVE_SECRET);
    expect(config.DATABASE_URL).toBe('postgres://betang:s3cret@127.0.0.1/betang');
    expect(config.SMTP_URL).toBe('smtps://u:p%40ss@mail.example:465');
    expect(JSON.stringify(config)).not.toContain(KEY_TEXT);
  });

  it('should read the key from BETANG_MASTER_KEY_FILE and from systemd credentials', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'betang-key-'));
    try {
      writeFileSync(path.join(dir, 'betang-master-key'), `${KEY_TEXT}\n`, { mode: 0o600 });
      const env = { ...base, SIGNING_MASTER_SECRET: sealSecret(KEY, 'SIGNING_MASTER_SECRET', SIGNING) };
      expect(parseConfig(ZApiEnv, { ...env, BETANG_MASTER_KEY_FILE: path.join(dir, 'betang-master-key') }).SIGNING_MASTER_SECRET).toBe(
        SIGNING,
      );
      expect(parseConfig(ZApiEnv, { ...env, CREDENTIALS_DIRECTORY: dir }).SIGNING_MASTER_SECRET).toBe(SIGNING);
      const missing = configProblems(() => parseConfig(ZApiEnv, { ...env, BETANG_MASTER_KEY_FILE: path.join(dir, 'nope') }));
      expect(missing.problems.join('\n')).toMatch(/BETANG_MASTER_KEY_FILE: .*ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should name the variable, never its value, for a wrong key, a moved value, a garbled value or no key', () => {
    const sealed = sealSecret(KEY, 'SIGNING_MASTER_SECRET', SIGNING);
    const moved = sealSecret(KEY, 'PVE_TOKEN_SECRET', SIGNING);
    const scenarios: [Record<string, string>, RegExp][] = [
      [{ BETANG_MASTER_KEY: generateMasterKey(), SIGNING_MASTER_SECRET: sealed }, /^SIGNING_MASTER_SECRET: .*cannot be decrypted/],
      [{ BETANG_MASTER_KEY: KEY_TEXT, SIGNING_MASTER_SECRET: moved }, /^SIGNING_MASTER_SECRET: .*cannot be decrypted/],
      [{ BETANG_MASTER_KEY: KEY_TEXT, SIGNING_MASTER_SECRET: sealed.slice(0, 20) }, /^SIGNING_MASTER_SECRET: .*garbled or truncated/],
      [{ SIGNING_MASTER_SECRET: sealed }, /^SIGNING_MASTER_SECRET: .*no master key/],
      [{ BETANG_MASTER_KEY: 'c2hvcnQ=', SIGNING_MASTER_SECRET: sealed }, /^BETANG_MASTER_KEY: .*32 bytes/],
    ];
    for (const [env, expected] of scenarios) {
      const error = configProblems(() => parseConfig(ZApiEnv, { ...base, ...env }));
      // reported once, not a second time as "missing" by the schema
      expect(error.problems).toEqual([expect.stringMatching(expected)]);
      for (const value of [sealed, moved, SIGNING, KEY_TEXT, sealed.slice(0, 20)]) expect(error.message).not.toContain(value);
    }
  });

  it('should never print an invalid secret value in a schema error', () => {
    const badPve = 'NOT-A-UUID-but-a-secret-0123456789abcd';
    const error = configProblems(() =>
      parseConfig(ZWorkerEnv, {
        ...base,
        PVE_URL: 'https://pve:8006',
        PVE_POOL: 'betang',
        PVE_TOKEN_ID: 'betang@pve!prov',
        PVE_TOKEN_SECRET: badPve,
        PVE_FINGERPRINT: 'zz',
        SMTP_URL: 'ftp://u:pa55word@x',
      }),
    );
    expect(error.problems.map((p) => p.split(':')[0]).sort()).toEqual(['PVE_FINGERPRINT', 'PVE_TOKEN_SECRET', 'SMTP_URL']);
    expect(error.message).not.toContain(badPve);
    expect(error.message).not.toContain('pa55word');
  });

  it('should warn about plain secrets in production and refuse them with SECRETS_REQUIRE_ENCRYPTION=true', () => {
    const plain = { DATABASE_URL: 'postgres://betang:pw@127.0.0.1/betang', SIGNING_MASTER_SECRET: SIGNING };
    const production = parseConfigReport(ZApiEnv, plain);
    expect(production.warnings).toHaveLength(1);
    expect(production.warnings[0]).toContain('DATABASE_URL, SIGNING_MASTER_SECRET');
    expect(production.warnings[0]).not.toContain(SIGNING);
    expect(parseConfigReport(ZApiEnv, { ...plain, NODE_ENV: 'development' }).warnings).toEqual([]);
    // a URL without a password carries no secret
    expect(
      parseConfigReport(ZApiEnv, {
        DATABASE_URL: 'postgres://127.0.0.1/betang',
        BETANG_MASTER_KEY: KEY_TEXT,
        SIGNING_MASTER_SECRET: sealSecret(KEY, 'SIGNING_MASTER_SECRET', SIGNING),
      }).warnings,
    ).toEqual([]);

    const strict = configProblems(() => parseConfig(ZApiEnv, { ...plain, SECRETS_REQUIRE_ENCRYPTION: 'true' }));
    expect(strict.problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'SIGNING_MASTER_SECRET']);
    expect(configProblems(() => parseConfig(ZApiEnv, { ...plain, SECRETS_REQUIRE_ENCRYPTION: 'maybe' })).problems[0]).toMatch(
      /^SECRETS_REQUIRE_ENCRYPTION/,
    );
    const encrypted = parseConfigReport(ZApiEnv, {
      DATABASE_URL: sealSecret(KEY, 'DATABASE_URL', plain.DATABASE_URL),
      SIGNING_MASTER_SECRET: sealSecret(KEY, 'SIGNING_MASTER_SECRET', SIGNING),
      BETANG_MASTER_KEY: KEY_TEXT,
      SECRETS_REQUIRE_ENCRYPTION: 'true',
    });
    expect(encrypted.warnings).toEqual([]);
    expect(encrypted.config.SIGNING_MASTER_SECRET).toBe(SIGNING);
  });

  it('should refuse both BETANG_MASTER_KEY and BETANG_MASTER_KEY_FILE at once', () => {
    const error = configProblems(() =>
      parseConfig(ZApiEnv, { ...base, SIGNING_MASTER_SECRET: SIGNING, BETANG_MASTER_KEY: KEY_TEXT, BETANG_MASTER_KEY_FILE: '/x' }),
    );
    expect(error.problems).toEqual([expect.stringMatching(/^BETANG_MASTER_KEY: .*only one/)]);
  });
});
