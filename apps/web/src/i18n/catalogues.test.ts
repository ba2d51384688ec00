import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { placeholdersOf, translate } from './translate';

const SRC = path.resolve(__dirname, '..');
const load = (name: string): Record<string, string> => JSON.parse(readFileSync(path.join(__dirname, name), 'utf8')) as Record<string, string>;
const catalogues = { id: load('id.json'), en: load('en.json') };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Keys the source uses literally: t('key'…) calls and labelKey: 'key' navigation entries. */
function usedKeys(): Map<string, string> {
  const used = new Map<string, string>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\bt\(\s*['"`]([^'"`$]+)['"`]|\blabelKey:\s*['"]([^'"]+)['"]/g)) {
      used.set(match[1] ?? match[2] ?? '', path.relative(SRC, file));
    }
  }
  return used;
}

describe('i18n catalogues', () => {
  it('should have the same keys in Bahasa Indonesia and English', () => {
    const id = Object.keys(catalogues.id).sort();
    const en = Object.keys(catalogues.en).sort();
    expect(id.filter((key) => !en.includes(key))).toEqual([]);
    expect(en.filter((key) => !id.includes(key))).toEqual([]);
  });

  it('should have no empty texts and the same placeholders in both languages', () => {
    for (const [key, text] of Object.entries(catalogues.id)) {
      expect([key, text.trim().length > 0]).toEqual([key, true]);
      expect([key, placeholdersOf(catalogues.en[key] ?? '')]).toEqual([key, placeholdersOf(text)]);
    }
  });

  it('should define every key the components use', () => {
    const used = usedKeys();
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter(([key]) => !(key in catalogues.id) || !(key in catalogues.en)).map(([key, file]) => `${key} (${file})`);
    expect(missing).toEqual([]);
  });

  it('should have a name for every role in both languages', () => {
    for (const role of ['admin', 'operator', 'dc_head', 'auditor', 'institution_head', 'institution_staff']) {
      expect(catalogues.id[`role.${role}`]).toBeTruthy();
      expect(catalogues.en[`role.${role}`]).toBeTruthy();
    }
  });
});

describe('translate', () => {
  const id = { greet: 'Halo, {name}! {name} punya {count} VM.' };
  const en = { greet: 'Hello, {name}!', onlyEn: 'English only' };

  it('should fill every occurrence of a placeholder', () => {
    expect(translate(id, id, 'greet', { name: 'Sari', count: 2 })).toBe('Halo, Sari! Sari punya 2 VM.');
  });

  it('should leave a placeholder without a value visible', () => {
    expect(translate(en, id, 'greet')).toBe('Hello, {name}!');
  });

  it('should fall back to the fallback catalogue, then to the key itself', () => {
    expect(translate({}, en, 'onlyEn')).toBe('English only');
    expect(translate(id, en, 'no.such.key')).toBe('no.such.key');
  });

  it('should not interpret replacement patterns or markup in values', () => {
    expect(translate(en, en, 'greet', { name: '$& <b>x</b>' })).toBe('Hello, $& <b>x</b>!');
  });
});
