import type { z } from 'zod';

/** Thrown when the environment does not satisfy a process's schema; lists every problem. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Konfigurasi tidak valid / invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses an environment once against `schema` and returns a frozen config.
 * Guarantees: reports every invalid or missing variable together (never only the first).
 */
export function parseConfig<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): Readonly<z.infer<T>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  return Object.freeze(result.data);
}

/**
 * Loads config for a process at start: on any problem prints all of them and exits non-zero.
 * Call once in a composition root (main.ts), never in library code.
 */
export function loadConfigOrExit<T extends z.ZodType>(schema: T, env: Record<string, string | undefined> = process.env): Readonly<z.infer<T>> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
