import { LOCALES, type Locale } from '@betang/core';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import en from './en.json';
import id from './id.json';
import { formatDate, formatDateTime, formatNumber } from './format';
import { translate, type MessageParams } from './translate';

/** Every key of the catalogues; `t()` accepts nothing else, so a typo fails the typecheck. */
export type MessageKey = keyof typeof id;

const CATALOGUES: Record<Locale, Record<string, string>> = { id, en };
const STORAGE_KEY = 'betang.locale';

export type I18n = {
  locale: Locale;
  /** Switches the language; `persist: false` applies it to this page only (the account's preference). */
  setLocale(locale: Locale, persist?: boolean): void;
  t(key: MessageKey, params?: MessageParams): string;
  dateTime(iso: string | null | undefined): string;
  date(iso: string | null | undefined): string;
  number(value: number, fractionDigits?: number): string;
};

const I18nContext = createContext<I18n | null>(null);

/** True when the person picked a language on this device (then it wins over the account's preference). */
export function hasStoredLocale(): boolean {
  try {
    return window.localStorage.getItem(STORAGE_KEY) !== null;
  } catch {
    return false;
  }
}

function storedLocale(): Locale {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return (LOCALES as readonly string[]).includes(stored ?? '') ? (stored as Locale) : 'id';
  } catch {
    return 'id'; // storage blocked (private mode): fall back to the default language
  }
}

/** Provides the chosen language (Bahasa Indonesia by default), persisted in localStorage. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(storedLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale, persist = true) => {
    setLocaleState(next);
    if (!persist) return;
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not persisted; the choice still holds for this page
    }
  }, []);
  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      t: (key, params) => translate(CATALOGUES[locale], CATALOGUES.id, key, params),
      dateTime: (iso) => formatDateTime(iso, locale),
      date: (iso) => formatDate(iso, locale),
      number: (value, digits) => formatNumber(value, locale, digits),
    }),
    [locale, setLocale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The current language, `t()` and the WIB formatters. */
export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
