import { useId } from 'react';
import { useI18n } from '../../i18n/use-i18n';
import { TextAreaField } from '../../ui/textarea-field';

/**
 * SSH public keys, one per field; add and remove rows. Text areas, not inputs: an input would
 * silently join two pasted lines into one "key", while here the shared parser sees the line break
 * and refuses it (one key per field).
 */
export function SshKeysField({
  keys,
  onChange,
  errors,
  onTouch,
}: {
  keys: string[];
  onChange(keys: string[]): void;
  errors: Record<string, string>;
  onTouch(path: string): void;
}) {
  const { t } = useI18n();
  const legendId = useId();
  const listError = errors.sshPublicKeys;
  return (
    <fieldset className="field field-wide" aria-labelledby={legendId} aria-describedby={listError ? `${legendId}-error` : undefined}>
      <legend id={legendId}>{t('requests.sshKeys')}</legend>
      <p className="hint">{t('requests.sshKeysHint')}</p>
      {keys.map((key, index) => (
        <div className="key-row" key={index}>
          <TextAreaField
            label={t('requests.sshKey', { n: index + 1 })}
            rows={2}
            required={index === 0}
            spellCheck={false}
            autoComplete="off"
            placeholder="ssh-ed25519 AAAA… nama@laptop"
            value={key}
            onValue={(value) => {
              onTouch(`sshPublicKeys.${index}`);
              onChange(keys.map((k, i) => (i === index ? value : k)));
            }}
            error={errors[`sshPublicKeys.${index}`]}
          />
          {keys.length > 1 ? (
            <button
              type="button"
              className="button small"
              onClick={() => onChange(keys.filter((_, i) => i !== index))}
              aria-label={t('requests.removeKeyLabel', { n: index + 1 })}
            >
              {t('requests.removeKey')}
            </button>
          ) : null}
        </div>
      ))}
      {listError ? (
        <p className="field-error" id={`${legendId}-error`}>
          {listError}
        </p>
      ) : null}
      {keys.length < 10 ? (
        <div>
          <button type="button" className="button small" onClick={() => onChange([...keys, ''])}>
            {t('requests.addKey')}
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}
