import type { Locale, LocalizedText } from '../i18n';

/**
 * A step's note as stored in `run_steps.detail`: words in both languages, as JSON
 * (`{"id": …, "en": …}`), so that a reader picks one language instead of seeing both in one line.
 * Guarantees `stepDetailIn(bilingualDetail(text), locale) === text[locale]`.
 */
export function bilingualDetail(text: LocalizedText): string {
  return JSON.stringify({ id: text.id, en: text.en });
}

/**
 * A stored step note in `locale`: a bilingual note (bilingualDetail) in that language, any other
 * note (numbers and names only, or written before notes were bilingual) as it is.
 */
export function stepDetailIn(detail: string, locale: Locale): string {
  if (!detail.startsWith('{')) return detail;
  try {
    const parsed = JSON.parse(detail) as Partial<LocalizedText> | null;
    const text = parsed?.[locale];
    return typeof text === 'string' && typeof parsed?.id === 'string' && typeof parsed.en === 'string' ? text : detail;
  } catch {
    return detail; // not JSON after all: a note that happens to start with a brace
  }
}

/** Several stored notes as one bilingual note, each in its language, joined by "; ". */
export function joinStepDetails(details: readonly string[]): string {
  return bilingualDetail({
    id: details.map((detail) => stepDetailIn(detail, 'id')).join('; '),
    en: details.map((detail) => stepDetailIn(detail, 'en')).join('; '),
  });
}
