import type { Terminal } from '@xterm/xterm';

/**
 * Opens `term` in `parent` without inline `<style>` elements, which Betang's Content-Security-
 * Policy (style-src 'self') refuses: while xterm.js builds its DOM, the `<style>` elements it
 * creates become inert hidden elements, and their text is mirrored into a constructable
 * stylesheet adopted by the document (CSSOM, which the policy allows). Returns the cleanup.
 */
export function openTerminal(term: Terminal, parent: HTMLElement): () => void {
  const doc = parent.ownerDocument;
  const original = doc.createElement.bind(doc);
  const shims: HTMLElement[] = [];
  doc.createElement = ((tag: string, options?: ElementCreationOptions) => {
    if (tag.toLowerCase() !== 'style') return original(tag, options);
    const shim = original('betang-term-style');
    shim.hidden = true;
    shims.push(shim);
    return shim;
  }) as typeof doc.createElement;
  try {
    term.open(parent);
  } finally {
    doc.createElement = original as typeof doc.createElement;
  }
  const sheet = new CSSStyleSheet();
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  const sync = (): void => sheet.replaceSync(shims.map((s) => s.textContent ?? '').join('\n'));
  const observer = new MutationObserver(sync);
  for (const s of shims) observer.observe(s, { characterData: true, childList: true, subtree: true });
  sync();
  return () => {
    observer.disconnect();
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
  };
}
