import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isEncryptedValue, openSecret, parseMasterKey, SecretError } from './aead';

type Env = Record<string, string | undefined>;

/** Name of the credential file systemd's LoadCredential= provides in $CREDENTIALS_DIRECTORY. */
export const MASTER_KEY_CREDENTIAL = 'betang-master-key';

/**
 * Settings that carry a secret. A plain value of one of them is reported (warning in production,
 * an error with SECRETS_REQUIRE_ENCRYPTION=true); URLs count only when they carry a password.
 */
export const SECRET_ENV_VARS: readonly string[] = [
  'DATABASE_URL',
  'REDIS_URL',
  'PVE_TOKEN_SECRET',
  'SMTP_URL',
  'SIGNING_MASTER_SECRET',
  'OIDC_CLIENT_SECRET',
];

const URL_VARS = new Set(['DATABASE_URL', 'REDIS_URL', 'SMTP_URL']);

/** Result of resolving the environment's secrets before schema validation. */
type DecryptedEnv = {
  /** A copy of the environment with every enc:v1 value replaced by its plaintext (failed ones removed). */
  env: Env;
  /** Variables that could not be decrypted (the schema does not report them a second time). */
  failed: string[];
  /** One line per problem, naming the variable, never its value. */
  problems: string[];
  /** Secret-bearing variables given in plain text. */
  plainSecrets: string[];
  /** Whether SECRETS_REQUIRE_ENCRYPTION was on. */
  requireEncryption: boolean;
};

/** Where the master key comes from, without reading it yet. */
type KeySource = { kind: 'env' | 'file'; label: string; read: () => string } | { kind: 'none' };

function keySource(env: Env, problems: string[]): KeySource {
  const inline = env.BETANG_MASTER_KEY;
  const file = env.BETANG_MASTER_KEY_FILE;
  if (inline && file) {
    problems.push(
      'BETANG_MASTER_KEY: setel salah satu, BETANG_MASTER_KEY atau BETANG_MASTER_KEY_FILE / set only one of BETANG_MASTER_KEY and BETANG_MASTER_KEY_FILE',
    );
    return { kind: 'none' };
  }
  if (inline) return { kind: 'env', label: 'BETANG_MASTER_KEY', read: () => inline };
  if (file) return { kind: 'file', label: 'BETANG_MASTER_KEY_FILE', read: () => readFileSync(file, 'utf8') };
  const credentials = env.CREDENTIALS_DIRECTORY;
  if (credentials) {
    const candidate = path.join(credentials, MASTER_KEY_CREDENTIAL);
    if (existsSync(candidate))
      return { kind: 'file', label: `$CREDENTIALS_DIRECTORY/${MASTER_KEY_CREDENTIAL}`, read: () => readFileSync(candidate, 'utf8') };
  }
  return { kind: 'none' };
}

/**
 * Reads the master key from BETANG_MASTER_KEY, BETANG_MASTER_KEY_FILE or systemd's
 * `$CREDENTIALS_DIRECTORY/betang-master-key` (in that order). Guarantees: returns 32 bytes,
 * undefined when none is configured, or pushes a problem naming the source (never the key) and
 * returns undefined.
 */
export function resolveMasterKey(env: Env, problems: string[]): Buffer | undefined {
  const source = keySource(env, problems);
  if (source.kind === 'none') return undefined;
  let text: string;
  try {
    text = source.read();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    problems.push(`${source.label}: berkas kunci induk tidak dapat dibaca (${code}) / master key file cannot be read (${code})`);
    return undefined;
  }
  try {
    return parseMasterKey(text);
  } catch (error) {
    problems.push(`${source.label}: ${error instanceof SecretError ? error.message : 'invalid master key'}`);
    return undefined;
  }
}

function carriesSecret(name: string, value: string): boolean {
  if (!URL_VARS.has(name)) return true;
  try {
    return new URL(value).password !== '';
  } catch {
    return false; // the schema reports an invalid URL
  }
}

function requireEncryptionFlag(env: Env, problems: string[]): boolean {
  const raw = env.SECRETS_REQUIRE_ENCRYPTION;
  if (raw === undefined || raw === '') return false;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  problems.push('SECRETS_REQUIRE_ENCRYPTION: harus true atau false / must be true or false');
  return false;
}

/**
 * Replaces every `enc:v1:` value of `env` by its plaintext, using the master key from the same
 * environment. Guarantees: `env` is not modified; every problem (no key, unreadable key, wrong
 * key, value bound to another variable, garbled value) is reported by variable name and never
 * contains a value, a plaintext or the key; the master key itself is not part of the result.
 */
export function decryptEnv(input: Env): DecryptedEnv {
  const problems: string[] = [];
  const env: Env = { ...input };
  delete env.BETANG_MASTER_KEY;
  const encrypted = Object.keys(env).filter((name) => isEncryptedValue(env[name]));
  const failed: string[] = [];
  const before = problems.length;
  const key = resolveMasterKey(input, problems);
  const keyBroken = problems.length > before; // already reported once, not again per variable
  for (const name of encrypted) {
    const value = env[name] as string;
    delete env[name];
    if (!key) {
      failed.push(name);
      if (!keyBroken)
        problems.push(
          `${name}: bernilai enc:v1 tetapi kunci induk tidak tersedia (setel BETANG_MASTER_KEY_FILE) / is enc:v1 but no master key is available (set BETANG_MASTER_KEY_FILE)`,
        );
      continue;
    }
    try {
      env[name] = openSecret(key, name, value);
    } catch (error) {
      failed.push(name);
      problems.push(
        error instanceof SecretError && error.reason === 'malformed'
          ? `${name}: nilai enc:v1 rusak atau terpotong / enc:v1 value is garbled or truncated`
          : `${name}: tidak dapat didekripsi (kunci induk salah, nilai milik variabel lain, atau nilai diubah) / cannot be decrypted (wrong master key, value of another variable, or altered value)`,
      );
    }
  }
  const plainSecrets = SECRET_ENV_VARS.filter((name) => {
    const value = input[name];
    return value !== undefined && value !== '' && !isEncryptedValue(value) && carriesSecret(name, value);
  });
  return { env, failed, problems, plainSecrets, requireEncryption: requireEncryptionFlag(input, problems) };
}
