import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n/use-i18n';

/** The new token's secret, shown once, with a copy button; takes focus so it is read out first. */
export function TokenSecret({ name, secret, onDone }: { name: string; secret: string; onDone(): void }) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    box.current?.focus();
  }, [secret]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false); // clipboard refused (insecure origin); the text stays selectable
    }
  }

  return (
    <div className="card secret-box" tabIndex={-1} ref={box} role="region" aria-labelledby="secret-title">
      <h2 id="secret-title">{t('tokens.secretTitle', { name })}</h2>
      <p>{t('tokens.secretOnce')}</p>
      <p>
        <code className="secret" data-testid="token-secret">
          {secret}
        </code>
      </p>
      <div className="form-actions">
        <button type="button" className="button" onClick={copy}>
          {copied ? t('tokens.copied') : t('tokens.copy')}
        </button>
        <button type="button" className="button primary" onClick={onDone}>
          {t('tokens.secretDone')}
        </button>
      </div>
    </div>
  );
}
