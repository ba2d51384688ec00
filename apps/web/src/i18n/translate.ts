/** A flat message catalogue: dotted key → text with `{name}` placeholders. */
export type Catalogue = Readonly<Record<string, string>>;

/** Values interpolated into `{name}` placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * Looks `key` up in `catalogue` (then `fallback`) and fills `{name}` placeholders from `params`.
 * Guarantees: never throws; an unknown key comes back as the key itself (visible, so tests catch
 * it) and a placeholder without a value stays as written.
 */
export function translate(catalogue: Catalogue, fallback: Catalogue, key: string, params?: MessageParams): string {
  const template = catalogue[key] ?? fallback[key] ?? key;
  if (!params) return template;
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** The placeholder names a template uses, sorted (for catalogue consistency checks). */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '').sort();
}
