/** Path parameters captured from a `/institutions/:id` style pattern. */
export type PathParams = Readonly<Record<string, string>>;

/**
 * Matches `path` against `pattern` segment by segment (`:name` captures one segment).
 * Guarantees: exact match only (no prefix matching); trailing slashes are ignored; captured
 * values are URI-decoded, and a malformed escape makes the route not match.
 */
export function matchPath(pattern: string, path: string): PathParams | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const expected = want[i]!;
    const actual = have[i]!;
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}
