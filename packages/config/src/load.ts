import type { z } from 'zod';
import { decryptEnv } from './secrets/env-secrets';

/** Thrown when the environment does not satisfy a process's schema; lists every problem. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Konfigurasi tidak valid / invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A parsed config plus what the operator should hear about but that does not stop the process. */
type ConfigReport<T> = { config: T; warnings: string[] };

function plainSecretsWarning(names: string[]): string {
  return (
    `rahasia tersimpan sebagai teks biasa: ${names.join(', ')} — enkripsi dengan \`npm run secret -- encrypt <NAMA>\` ` +
    `(docs/security.md) / secrets stored in plain text: ${names.join(', ')} — encrypt them with \`npm run secret -- encrypt <NAME>\``
  );
}

/**
 * Like parseConfig, and also returns warnings. Guarantees: `enc:v1:` values are decrypted with
 * the master key (BETANG_MASTER_KEY / BETANG_MASTER_KEY_FILE / $CREDENTIALS_DIRECTORY) before
 * validation; every problem is reported together, naming variables but never their values; plain
 * secret values are a warning in production and an error when SECRETS_REQUIRE_ENCRYPTION=true.
 */
export function parseConfigReport<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined>,
): ConfigReport<Readonly<z.infer<T>>> {
  const secrets = decryptEnv(env);
  const problems = [...secrets.problems];
  const warnings: string[] = [];
  const result = schema.safeParse(secrets.env);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '');
      if (secrets.failed.includes(name)) continue; // already reported as undecryptable
      problems.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
  }
  if (secrets.plainSecrets.length > 0) {
    if (secrets.requireEncryption) {
      for (const name of secrets.plainSecrets) {
        problems.push(
          `${name}: harus terenkripsi (enc:v1) karena SECRETS_REQUIRE_ENCRYPTION=true / must be encrypted (enc:v1) because SECRETS_REQUIRE_ENCRYPTION=true`,
        );
      }
    } else if ((env.NODE_ENV ?? 'production') === 'production') {
      warnings.push(plainSecretsWarning(secrets.plainSecrets));
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return { config: Object.freeze(result.data), warnings };
}

/**
 * Parses an environment once against `schema` and returns a frozen config.
 * Guarantees: reports every invalid or missing variable together (never only the first), decrypts
 * `enc:v1:` values first (see parseConfigReport), and never puts a secret value in an error.
 */
export function parseConfig<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): Readonly<z.infer<T>> {
  return parseConfigReport(schema, env).config;
}

/**
 * Loads config for a process at start: on any problem prints all of them and exits 78 (EX_CONFIG);
 * warnings (e.g. plain secrets in production) go to stderr. Call once in a composition root
 * (main.ts), never in library code.
 */
export function loadConfigOrExit<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<T>> {
  try {
    const { config, warnings } = parseConfigReport(schema, env);
    for (const warning of warnings) console.warn(`PERINGATAN / WARNING: ${warning}`);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
