import { ZCustomSizeBounds, type CustomSizeBounds } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { putCustomSizeBounds } from '../../api/settings.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { useSubmit, validateWith } from '../../ui/form-state';
import { ResourcesFields, fromResources, toResources } from './resources-fields';

/** Whether people may ask for a custom size, and its bounds (PUT /settings/custom-size-bounds). */
export function SizeBoundsForm({ initial, readOnly }: { initial: CustomSizeBounds; readOnly: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useSubmit();
  const [allowCustom, setAllowCustom] = useState(initial.allowCustom);
  const [min, setMin] = useState(fromResources(initial.min));
  const [max, setMax] = useState(fromResources(initial.max));
  const [notice, setNotice] = useState<string | null>(null);

  async function onSubmit(event: React.FormEvent) {
    event.preventDefault();
    setNotice(null);
    const body = { allowCustom, min: toResources(min), max: toResources(max) } as CustomSizeBounds;
    const errors = validateWith(ZCustomSizeBounds, body);
    if (Object.keys(errors).length > 0) return form.setFieldErrors(errors);
    if (await form.submit(() => putCustomSizeBounds(api, body))) setNotice(t('opSettings.saved'));
  }

  return (
    <form className="card" aria-labelledby="bounds-title" onSubmit={onSubmit} noValidate>
      <h2 id="bounds-title">{t('opSettings.boundsTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      <label className="choice">
        <input type="checkbox" checked={allowCustom} disabled={readOnly} onChange={(event) => setAllowCustom(event.target.checked)} />
        {t('opSettings.allowCustom')}
      </label>
      <fieldset className="level-box">
        <legend>{t('opSettings.min')}</legend>
        {form.fieldErrors.min ? <p className="field-error">{form.fieldErrors.min}</p> : null}
        <ResourcesFields value={min} onChange={setMin} errors={form.fieldErrors} prefix="min" required readOnly={readOnly} />
      </fieldset>
      <fieldset className="level-box">
        <legend>{t('opSettings.max')}</legend>
        <ResourcesFields value={max} onChange={setMax} errors={form.fieldErrors} prefix="max" required readOnly={readOnly} />
      </fieldset>
      {readOnly ? null : (
        <button type="submit" className="button primary" disabled={form.busy}>
          {t('opSettings.saveBounds')}
        </button>
      )}
    </form>
  );
}
