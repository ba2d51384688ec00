import type { ZCatalog } from '@betang/core';
import type { z } from 'zod';

type Catalog = z.infer<typeof ZCatalog>;
import { useI18n } from '../../i18n/use-i18n';
import { Field } from '../../ui/field';
import type { RequestFormValues } from './request-body';

type Props = {
  catalog: Catalog;
  values: RequestFormValues;
  errors: Record<string, string>;
  onSize(size: string): void;
  onCustom(custom: RequestFormValues['custom']): void;
};

/** Size choice: the catalog's presets as radio cards, plus a custom size within the operators' bounds. */
export function SizePicker({ catalog, values, errors, onSize, onCustom }: Props) {
  const { t, number } = useI18n();
  const b = catalog.customBounds;
  const setCustom = (key: keyof RequestFormValues['custom']) => (value: string) => onCustom({ ...values.custom, [key]: value });
  return (
    <fieldset className="field field-wide">
      <legend>{t('requests.size')}</legend>
      <div className="choice-cards">
        {catalog.presets.map((preset) => (
          <label key={preset.id} className="choice-card">
            <input type="radio" name="size" value={preset.id} checked={values.size === preset.id} onChange={() => onSize(preset.id)} />
            <span>
              <strong>{preset.name}</strong>
              <span className="block small">
                {t('requests.sizeValue', { cores: preset.cores, memory: number(preset.memoryMiB / 1024), disk: preset.diskGiB })}
              </span>
            </span>
          </label>
        ))}
        {b.allowCustom ? (
          <label className="choice-card">
            <input type="radio" name="size" value="custom" checked={values.size === 'custom'} onChange={() => onSize('custom')} />
            <span>
              <strong>{t('requests.sizeCustom')}</strong>
              <span className="block small">{t('requests.sizeCustomHint')}</span>
            </span>
          </label>
        ) : null}
      </div>
      {errors.presetId ? <p className="field-error">{errors.presetId}</p> : null}
      {values.size === 'custom' ? (
        <div className="form-grid">
          <Field
            label={t('requests.cores')}
            inputMode="numeric"
            hint={t('requests.bounds', { min: b.min.cores, max: b.max.cores })}
            value={values.custom.cores}
            onValue={setCustom('cores')}
            error={errors['resources.cores']}
          />
          <Field
            label={t('requests.memoryGiB')}
            inputMode="numeric"
            hint={t('requests.bounds', { min: b.min.memoryMiB / 1024, max: b.max.memoryMiB / 1024 })}
            value={values.custom.memoryGiB}
            onValue={setCustom('memoryGiB')}
            error={errors['resources.memoryMiB']}
          />
          <Field
            label={t('requests.diskGiB')}
            inputMode="numeric"
            hint={t('requests.bounds', { min: b.min.diskGiB, max: b.max.diskGiB })}
            value={values.custom.diskGiB}
            onValue={setCustom('diskGiB')}
            error={errors['resources.diskGiB']}
          />
        </div>
      ) : null}
    </fieldset>
  );
}
