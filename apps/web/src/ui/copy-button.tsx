import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/use-i18n';

/**
 * A button that copies `text` to the clipboard and says so for a moment ("Tersalin").
 * `label` names what is copied for screen readers ("Salin alamat"). When the browser refuses the
 * clipboard (an insecure origin), nothing breaks: the text stays on the page, selectable.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return undefined;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }
  return (
    <button type="button" className="button small copy-button" aria-label={label} onClick={() => void copy()}>
      <span aria-live="polite">{copied ? t('vmLive.copied') : t('vmLive.copy')}</span>
    </button>
  );
}
