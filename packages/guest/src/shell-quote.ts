const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one argument for a POSIX shell (sh, bash, dash) so that the shell passes it
 * through as exactly one word, byte for byte: no expansion, no word splitting, no globbing.
 * Guarantees: the result contains no unquoted metacharacter; strings that are already
 * plain words are returned unchanged for readable logs. NUL cannot be passed in an argv
 * at all, so it throws instead of silently truncating.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) {
    throw new TypeError('shellQuote: NUL byte cannot be passed to a shell');
  }
  if (SAFE_WORD.test(value)) return value;
  // Inside single quotes nothing is special except the closing quote itself.
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quotes every element of an argv and joins them with spaces: one shell word per element. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('shellCommand: empty argv');
  return argv.map(shellQuote).join(' ');
}
