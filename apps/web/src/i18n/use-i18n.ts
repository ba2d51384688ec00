import type { Locale } from '@betang/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatDateTime, formatNumber } from './format';
import { currentLocale, setLocale, type MessageKey } from './i18n';

/** Values for a message's arguments (`{name}`, `{count, plural, …}`). */
export type MessageParams = Readonly<Record<string, string | number>>;

type I18n = {
  locale: Locale;
  /** Switches the language; `persist: false` applies it to this page only (the account's preference). */
  setLocale(locale: Locale, persist?: boolean): void;
  t(key: MessageKey, params?: MessageParams): string;
  dateTime(iso: string | null | undefined): string;
  date(iso: string | null | undefined): string;
  number(value: number, fractionDigits?: number): string;
};

/**
 * The current language, `t()` and the WIB formatters; re-renders the component when the language
 * changes. An unknown key comes back as the key itself (visible, so tests catch it).
 */
export function useI18n(): I18n {
  const { i18n } = useTranslation();
  const locale = currentLocale();
  // Stable per language, so callbacks and effects that depend on t() do not run on every render.
  return useMemo<I18n>(
    () => ({
      locale,
      setLocale: (next, persist) => void setLocale(next, persist),
      // `replace` keeps i18next's own option names (count, context, lng…) out of the message values.
      t: (key, params) => i18n.t(key, { replace: params }),
      dateTime: (iso) => formatDateTime(iso, locale),
      date: (iso) => formatDate(iso, locale),
      number: (value, digits) => formatNumber(value, locale, digits),
    }),
    [i18n, locale],
  );
}
