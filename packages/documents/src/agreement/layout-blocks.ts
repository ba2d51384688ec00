/** Content blocks the agreement layout engine knows how to place. */
export type Block =
  | { kind: 'title'; lines: string[] }
  | { kind: 'heading'; lines: string[] }
  | { kind: 'paragraph'; text: string }
  | { kind: 'item'; label: string; text: string; level?: number }
  | { kind: 'fields'; rows: Array<[string, string]>; level?: number }
  | { kind: 'spacer'; height: number }
  | { kind: 'signatures'; left: SignatureColumn; right: SignatureColumn; place: string; date: string };

export type SignatureColumn = { party: string; title: string; name: string; nip: string };

/** Numbered items "(1) …" for an article body. */
export function numbered(texts: string[], level = 0): Block[] {
  return texts.map((text, i) => ({ kind: 'item', label: `(${i + 1})`, text, level }));
}

/** Lettered items "a. …" nested under a numbered item. */
export function lettered(texts: string[], level = 1): Block[] {
  return texts.map((text, i) => ({ kind: 'item', label: `${String.fromCharCode(97 + i)}.`, text, level }));
}

/** "Pasal n" + title heading. */
export function article(n: number, title: string): Block {
  return { kind: 'heading', lines: [`Pasal ${n}`, title.toUpperCase()] };
}

/** NIP printed the usual way, the same grouping every screen uses (core's formatNip). */
export { formatNip } from '@betang/core';
