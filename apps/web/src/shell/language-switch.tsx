import { LOCALES, type Locale } from '@betang/core';
import { useId } from 'react';
import { useI18n } from '../i18n/use-i18n';

const NAMES: Record<Locale, string> = { id: 'Bahasa Indonesia', en: 'English' };

/** Language choice; each language is named in itself (a reader of the other one still finds theirs). */
export function LanguageSwitch() {
  const { t, locale, setLocale } = useI18n();
  const id = useId();
  return (
    <div className="language-switch">
      <label htmlFor={id}>{t('shell.language')}</label>
      <select id={id} value={locale} onChange={(event) => setLocale(event.target.value as Locale)}>
        {LOCALES.map((code) => (
          <option key={code} value={code} lang={code}>
            {NAMES[code]}
          </option>
        ))}
      </select>
    </div>
  );
}
