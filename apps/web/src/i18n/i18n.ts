import { LOCALES, type Locale } from '@betang/core';
import i18next, { type i18n as I18nInstance } from 'i18next';
import ICU from 'i18next-icu';
import { initReactI18next } from 'react-i18next';
import id from './id.json';

/** Every key of the catalogues; `t()` accepts nothing else, so a typo fails the typecheck. */
export type MessageKey = keyof typeof id;

/** A flat message catalogue: dotted key → ICU MessageFormat text (`{name}`, `{count, plural, …}`). */
export type Catalogue = Readonly<Record<string, string>>;

/** The language everything falls back to: Bahasa Indonesia. */
export const DEFAULT_LOCALE: Locale = 'id';

const STORAGE_KEY = 'betang.locale';

/**
 * Bahasa Indonesia ships with the app; other languages load on demand (their own chunk), so the
 * first page carries one catalogue only.
 */
const LOADERS: Record<Exclude<Locale, 'id'>, () => Promise<Catalogue>> = {
  en: () => import('./en.json').then((module) => module.default),
};

/**
 * A configured i18next instance: ICU messages (plurals, selects), flat dotted keys, Bahasa
 * Indonesia as the fallback for a key a catalogue lacks, and React's own escaping (no HTML
 * escaping of values here). `catalogues` beyond Indonesian may be given now or loaded later.
 */
export function createI18n(locale: Locale, catalogues: Partial<Record<Locale, Catalogue>> = {}): I18nInstance {
  const instance = i18next.createInstance();
  const resources = Object.fromEntries(Object.entries({ id, ...catalogues }).map(([lng, translation]) => [lng, { translation }]));
  void instance
    .use(ICU)
    .use(initReactI18next)
    .init({
      resources,
      lng: locale,
      fallbackLng: DEFAULT_LOCALE,
      supportedLngs: [...LOCALES],
      keySeparator: false,
      nsSeparator: false,
      interpolation: { escapeValue: false },
      initAsync: false,
    });
  return instance;
}

/** The app's instance (Bahasa Indonesia until `prepareLocale` runs). */
export const i18n = createI18n(DEFAULT_LOCALE);

i18n.on('languageChanged', (lng) => {
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
});

/** The current language, as Betang names it. */
export function currentLocale(): Locale {
  return (LOCALES as readonly string[]).includes(i18n.language) ? (i18n.language as Locale) : DEFAULT_LOCALE;
}

/** True when the person picked a language on this device (then it wins over the account's preference). */
export function hasStoredLocale(): boolean {
  try {
    return window.localStorage.getItem(STORAGE_KEY) !== null;
  } catch {
    return false;
  }
}

/** The language picked on this device, or Bahasa Indonesia. */
export function storedLocale(): Locale {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return (LOCALES as readonly string[]).includes(stored ?? '') ? (stored as Locale) : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE; // storage blocked (private mode): fall back to the default language
  }
}

/**
 * Switches the app to `locale`, loading its catalogue first. `persist: false` applies it to this
 * page only (the account's preference). Guarantees: resolves once every text is in the new
 * language; a catalogue that fails to load leaves the current language in place (the stored
 * choice applies at the next load).
 */
export async function setLocale(locale: Locale, persist = true): Promise<void> {
  // Stored first: a reload or a new tab right after the choice must already get it.
  if (persist) {
    try {
      window.localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // not persisted; the choice still holds for this page
    }
  }
  if (locale !== 'id' && !i18n.hasResourceBundle(locale, 'translation')) {
    i18n.addResourceBundle(locale, 'translation', await LOADERS[locale]());
  }
  await i18n.changeLanguage(locale);
}
