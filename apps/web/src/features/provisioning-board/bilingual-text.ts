import type { Locale } from '@betang/core';

/**
 * The worker stores a run's error as one text: Bahasa Indonesia, a blank line, then English
 * (`${id}\n\n${en}`). Returns the part in `locale` when the text has exactly those two parts,
 * otherwise the whole text (older or foreign messages are shown as written).
 */
export function pickLanguage(text: string, locale: Locale): string {
  const parts = text.split(/\r?\n\r?\n/);
  if (parts.length !== 2 || !parts[0]?.trim() || !parts[1]?.trim()) return text;
  return (locale === 'en' ? parts[1] : parts[0]).trim();
}
