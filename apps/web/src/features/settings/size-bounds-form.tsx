import { ZCustomSizeBounds, type CustomSizeBounds } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { putCustomSizeBounds } from '../../api/settings.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { useContractForm } from '../../ui/use-contract-form';
import { ResourcesFields, fromResources, toResources, type SizeValues } from './resources-fields';

type Values = { allowCustom: boolean; min: SizeValues; max: SizeValues };

/** Whether people may ask for a custom size, and its bounds (PUT /settings/custom-size-bounds). */
export function SizeBoundsForm({ initial, readOnly }: { initial: CustomSizeBounds; readOnly: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm({
    schema: ZCustomSizeBounds,
    defaultValues: { allowCustom: initial.allowCustom, min: fromResources(initial.min), max: fromResources(initial.max) } as Values,
    toBody: (v: Values) => ({ allowCustom: v.allowCustom, min: toResources(v.min), max: toResources(v.max) }),
  });
  const [notice, setNotice] = useState<string | null>(null);
  const { allowCustom, min, max } = form.values;

  return (
    <form
      className="card"
      aria-labelledby="bounds-title"
      onSubmit={(event) => {
        setNotice(null);
        return form.onSubmit(async (body) => {
          await putCustomSizeBounds(api, body);
          setNotice(t('opSettings.saved'));
        })(event);
      }}
      noValidate
    >
      <h2 id="bounds-title">{t('opSettings.boundsTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      <label className="choice">
        <input
          type="checkbox"
          checked={allowCustom}
          disabled={readOnly}
          onChange={(event) => form.set('allowCustom', event.target.checked)}
        />
        {t('opSettings.allowCustom')}
      </label>
      <fieldset className="level-box">
        <legend>{t('opSettings.min')}</legend>
        {form.fieldErrors.min ? <p className="field-error">{form.fieldErrors.min}</p> : null}
        <ResourcesFields
          value={min}
          onChange={(value) => form.set('min', value)}
          errors={form.fieldErrors}
          prefix="min"
          required
          readOnly={readOnly}
        />
      </fieldset>
      <fieldset className="level-box">
        <legend>{t('opSettings.max')}</legend>
        <ResourcesFields
          value={max}
          onChange={(value) => form.set('max', value)}
          errors={form.fieldErrors}
          prefix="max"
          required
          readOnly={readOnly}
        />
      </fieldset>
      {readOnly ? null : (
        <button type="submit" className="button primary" disabled={form.busy}>
          {t('opSettings.saveBounds')}
        </button>
      )}
    </form>
  );
}
