/**
 * Encodes one path segment. `:` and `@` stay literal (valid in a path and what PVE's own
 * clients send for UPIDs and user ids); everything that could change the path (`/`, `?`,
 * `#`, `%`, spaces) is percent-encoded.
 */
export function pathSegment(value: string | number): string {
  return encodeURIComponent(String(value)).replace(/%3A/gi, ':').replace(/%40/g, '@');
}
