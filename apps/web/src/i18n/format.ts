import type { Locale } from '@betang/core';

/** The province's time zone: every time is shown in WIB. */
const TIME_ZONE = 'Asia/Jakarta';

const INTL_LOCALE: Record<Locale, string> = { id: 'id-ID', en: 'en-GB' };

/** Formats an ISO time as a date and time in WIB, e.g. "27 Nov 2026 21.30 WIB". */
export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  const text = new Intl.DateTimeFormat(INTL_LOCALE[locale], { timeZone: TIME_ZONE, dateStyle: 'medium', timeStyle: 'short' }).format(date);
  return `${text} WIB`;
}

/** Formats an ISO time as a date only (in WIB). */
export function formatDate(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { timeZone: TIME_ZONE, dateStyle: 'long' }).format(date);
}

/** Formats a number with the language's grouping (id: 1.024, en: 1,024). */
export function formatNumber(value: number, locale: Locale, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { maximumFractionDigits }).format(value);
}
