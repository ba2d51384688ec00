import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SECRET_PATTERNS, TEST_SECRETS } from './test-secrets';

/** One secret found in one log line. */
type LogLeak = { file: string; line: number; secret: string; excerpt: string };

/** Forms a configured secret can take in a log line: as is, URL-encoded, JSON-escaped. */
function forms(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])];
}

/** The line with every secret and secret shape replaced by its name, cut to ~300 characters around the first. */
function masked(text: string, needles: (readonly [string, string])[], patterns: Readonly<Record<string, RegExp>>): string {
  let out = text;
  for (const [name, needle] of needles) out = out.split(needle).join(`[${name}]`);
  for (const [name, pattern] of Object.entries(patterns))
    out = out.replace(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`), `[${name}]`);
  const first = Math.max(0, out.search(/\[[A-Z_]+\]/));
  const from = Math.max(0, first - 120);
  const to = Math.min(out.length, first + 180);
  return `${from > 0 ? '…' : ''}${out.slice(from, to)}${to < out.length ? '…' : ''}`;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

/**
 * Scans every file under `dir` line by line for the configured secrets (as is, URL-encoded or
 * JSON-escaped) and for secret shapes (`patterns`). Guarantees: every leaking line is reported
 * with file and 1-based line number, and the excerpt has the secret replaced by its name — the
 * report itself never repeats a secret.
 */
export function scanLogsForSecrets(
  dir: string,
  secrets: Readonly<Record<string, string>> = TEST_SECRETS,
  patterns: Readonly<Record<string, RegExp>> = SECRET_PATTERNS,
): { files: number; bytes: number; leaks: LogLeak[] } {
  const needles = Object.entries(secrets).flatMap(([name, value]) =>
    value.length >= 8 ? forms(value).map((form) => [name, form] as const) : [],
  );
  const leaks: LogLeak[] = [];
  let bytes = 0;
  const files = filesUnder(dir);
  for (const file of files) {
    bytes += statSync(file).size;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, index) => {
      const found = new Set<string>();
      for (const [name, needle] of needles) if (text.includes(needle)) found.add(name);
      for (const [name, pattern] of Object.entries(patterns))
        if (new RegExp(pattern.source, pattern.flags.replace('g', '')).test(text)) found.add(name);
      if (found.size === 0) return;
      const excerpt = masked(text, needles, patterns);
      for (const secret of found) leaks.push({ file, line: index + 1, secret, excerpt });
    });
  }
  return { files: files.length, bytes, leaks };
}

/** A readable report of leaks (secrets masked), at most `limit` lines. */
export function formatLeaks(leaks: LogLeak[], limit = 50): string {
  const shown = leaks.slice(0, limit).map((l) => `  ${l.file}:${l.line} ${l.secret}: ${l.excerpt}`);
  const more = leaks.length > limit ? [`  … dan ${leaks.length - limit} lagi / and ${leaks.length - limit} more`] : [];
  return [...shown, ...more].join('\n');
}
