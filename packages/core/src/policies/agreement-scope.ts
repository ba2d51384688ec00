import type { LocalizedText } from '../i18n';

/**
 * What an agreement covers besides its ceiling: the institution's applications it lists and the
 * OS templates it names. `applicationIds` empty means the agreement records no application list
 * (made outside Betang's generator, which always lists at least one) and covers every application
 * of the institution; `osTemplates` null likewise covers every catalog template.
 */
export type AgreementScope = { applicationIds: readonly string[]; osTemplates: readonly string[] | null };

/** The application and OS template a request asks for, with names for the messages. */
export type ScopeSubject = {
  application: { id: string; name: string };
  /** Null for an adopted VM: it was not built from a catalog template, so no template is asked for. */
  template: { id: string; name: string } | null;
};

/** One thing the agreement does not cover, with a bilingual reason naming it and the next step. */
export type ScopeGap = { kind: 'application' | 'template'; subject: string; message: LocalizedText };

// Printed names are typed by people ("Debian 12", "debian 12 ") and catalogs add a qualifier
// ("Debian 12 (Bookworm)") or use ids ("debian-12"): compare without a trailing parenthesis,
// with hyphens and underscores as spaces, case and runs of spaces folded.
const fold = (s: string): string =>
  s
    .trim()
    .replace(/\s*\([^()]*\)$/, '')
    .replace(/[-_]/g, ' ')
    .replace(/\s+/g, ' ')
    .toLowerCase();

/**
 * Whether the agreement names a template: an entry equal to the catalog template's name or id,
 * compared folded (trimmed, case-insensitive, a trailing parenthesis dropped, hyphens as spaces),
 * so "Debian 12" names "Debian 12 (Bookworm)" and `debian-12`, and "Debian" names neither. Pure.
 */
export function scopeNamesTemplate(osTemplates: readonly string[], template: { id: string; name: string }): boolean {
  const named = new Set(osTemplates.map(fold));
  return named.has(fold(template.name)) || named.has(fold(template.id));
}

/**
 * Everything of `subject` that agreement `number` with `scope` does not cover (empty = covered):
 * an application it does not list, a template it does not name. Pure; the caller decides whether
 * a gap refuses (submission, approval and the worker's gate all refuse).
 */
export function agreementScopeGaps(number: string, scope: AgreementScope, subject: ScopeSubject): ScopeGap[] {
  const gaps: ScopeGap[] = [];
  if (scope.applicationIds.length > 0 && !scope.applicationIds.includes(subject.application.id)) {
    gaps.push({
      kind: 'application',
      subject: subject.application.name,
      message: {
        id: `Aplikasi ${subject.application.name} tidak tercantum dalam perjanjian ${number}. Buat perjanjian baru yang mencantumkannya dan minta kedua kepala menandatanganinya.`,
        en: `Application ${subject.application.name} is not listed in agreement ${number}. Make a new agreement that lists it and have both heads sign it.`,
      },
    });
  }
  if (scope.osTemplates !== null && subject.template !== null && !scopeNamesTemplate(scope.osTemplates, subject.template)) {
    gaps.push({
      kind: 'template',
      subject: subject.template.name,
      message: {
        id: `Templat OS ${subject.template.name} tidak tercantum dalam perjanjian ${number} (tercantum: ${scope.osTemplates.join('; ')}). Pilih templat yang tercantum atau perbarui perjanjian.`,
        en: `OS template ${subject.template.name} is not named in agreement ${number} (named: ${scope.osTemplates.join('; ')}). Choose a named template or renew the agreement.`,
      },
    });
  }
  return gaps;
}
