/**
 * The identity of a key in a normalised authorized_keys line (`type base64 [comment]`, as the
 * SSH key parser returns it): its type and blob. The comment is not part of it, so the same key
 * with two comments is one key.
 */
function sshKeyIdentity(normalisedLine: string): string {
  const [type = '', blob = ''] = normalisedLine.split(' ');
  return `${type} ${blob}`;
}

/** Positions of keys whose type and blob already appeared earlier in the list (empty = no duplicates). Pure. */
export function duplicateSshKeyIndexes(normalisedLines: readonly string[]): number[] {
  const seen = new Set<string>();
  const duplicates: number[] = [];
  normalisedLines.forEach((line, index) => {
    const identity = sshKeyIdentity(line);
    if (seen.has(identity)) duplicates.push(index);
    seen.add(identity);
  });
  return duplicates;
}

/** The bilingual message for a key listed twice. */
export const DUPLICATE_SSH_KEY_MESSAGE = {
  id: 'Kunci SSH ini sudah ada di daftar; komentar yang berbeda tidak membuatnya kunci lain.',
  en: 'This SSH key is already in the list; a different comment does not make it another key.',
} as const;
