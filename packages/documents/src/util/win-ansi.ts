// Characters above 0x7F that WinAnsiEncoding (the only encoding of pdf-lib's standard fonts) can show.
const WIN_ANSI_EXTRA = new Set(
  Array.from('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ').concat(Array.from({ length: 0x100 - 0xa0 }, (_, i) => String.fromCharCode(0xa0 + i))),
);

const REPLACEMENTS: Record<string, string> = {
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2212': '-',
  '\u2032': "'",
  '\u2033': '"',
  '\u00ad': '',
  '\t': ' ',
  '\r': ' ',
  '\n': ' ',
};

/**
 * Makes `text` drawable with a WinAnsi standard font: keeps ASCII and WinAnsi characters,
 * strips diacritics that have no WinAnsi form, and replaces anything else with "?".
 * Pure and deterministic, so rendering the same data always produces the same bytes.
 */
export function toWinAnsi(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0) ?? 0x3f;
    if (REPLACEMENTS[ch] !== undefined) out += REPLACEMENTS[ch];
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (WIN_ANSI_EXTRA.has(ch)) out += ch;
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += ' ';
    else {
      const base = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += Array.from(base).every((c) => (c >= ' ' && c < '\x7f') || WIN_ANSI_EXTRA.has(c)) && base ? base : '?';
    }
  }
  return out;
}
