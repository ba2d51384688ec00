import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { createI18n } from './i18n';

const SRC = path.resolve(__dirname, '..');
const load = (name: string): Record<string, string> =>
  JSON.parse(readFileSync(path.join(__dirname, name), 'utf8')) as Record<string, string>;
const catalogues = { id: load('id.json'), en: load('en.json') };

type Element = ReturnType<IntlMessageFormat['getAst']>[number];

/** The argument names an ICU message uses, plural and select branches included, sorted. */
function argumentsOf(message: string, locale: string): string[] {
  const names = new Set<string>();
  const walk = (elements: readonly Element[]) => {
    for (const element of elements) {
      if ('value' in element && element.type !== 0) names.add(String(element.value));
      if ('options' in element) for (const option of Object.values(element.options)) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(message, locale, undefined, { ignoreTag: true }).getAst());
  return [...names].sort();
}

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

  it('should have no empty texts, only valid ICU messages, and the same arguments in both languages', () => {
    for (const [key, text] of Object.entries(catalogues.id)) {
      expect([key, text.trim().length > 0]).toEqual([key, true]);
      expect([key, argumentsOf(catalogues.en[key] ?? '', 'en')]).toEqual([key, argumentsOf(text, 'id')]);
    }
  });

  it('should define every key the components use', () => {
    const used = usedKeys();
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used]
      .filter(([key]) => !(key in catalogues.id) || !(key in catalogues.en))
      .map(([key, file]) => `${key} (${file})`);
    expect(missing).toEqual([]);
  });

  it('should have a name for every role in both languages', () => {
    for (const role of ['admin', 'operator', 'dc_head', 'auditor', 'institution_head', 'institution_staff']) {
      expect(catalogues.id[`role.${role}`]).toBeTruthy();
      expect(catalogues.en[`role.${role}`]).toBeTruthy();
    }
  });
});

describe("the app's i18next instance", () => {
  const i18n = createI18n('id', { en: catalogues.en });
  const t = (lng: 'id' | 'en', key: string, values?: Record<string, string | number>) => i18n.getFixedT(lng)(key, { replace: values });

  it('should fill every occurrence of an argument', () => {
    expect(t('id', 'notFound.body', { path: '/x' })).toBe(catalogues.id['notFound.body']!.replace('{path}', '/x'));
    expect(t('en', 'opRecon.kindCount', { kind: 'VM', count: 3 })).toBe('VM (3)');
  });

  it('should choose the English plural form by count, and keep Indonesian without one', () => {
    expect(t('en', 'form.checkFields', { count: 1 })).toBe('Check the marked field below.');
    expect(t('en', 'form.checkFields', { count: 3 })).toBe('Check the 3 marked fields below.');
    expect(t('id', 'form.checkFields', { count: 1 })).toBe(catalogues.id['form.checkFields']!.replace('{count}', '1'));
    expect(t('en', 'quota.usageNote', { count: 1024 })).toBe('Usage counts 1,024 VMs active or requested.');
    expect(t('id', 'quota.usageNote', { count: 1024 })).toBe('Pemakaian mencakup 1.024 VM yang aktif atau sedang diajukan.');
  });

  it('should fall back to Bahasa Indonesia, then to the key itself', () => {
    const partial = createI18n('en', { en: { 'shell.language': 'Language' } });
    expect(partial.t('shell.language')).toBe('Language');
    expect(partial.t('signIn.title')).toBe(catalogues.id['signIn.title']);
    expect(partial.t('no.such.key')).toBe('no.such.key');
  });

  it('should insert values as they are: no markup, escaping or replacement patterns', () => {
    expect(t('en', 'notFound.body', { path: '$& <b>x</b>' })).toContain('$& <b>x</b>');
  });
});
