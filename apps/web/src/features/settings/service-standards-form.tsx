import { ZServiceStandards, type ServiceStandards } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { putServiceStandards } from '../../api/settings.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useSubmit, validateWith } from '../../ui/form-state';
import { FormActions } from '../../ui/form-actions';

/** Target times the queue and board measure against (PUT /settings/service-standards). */
export function ServiceStandardsForm({ initial, readOnly }: { initial: ServiceStandards; readOnly: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useSubmit();
  const [v, setV] = useState({ approvalHours: String(initial.approvalHours), provisioningMinutes: String(initial.provisioningMinutes) });
  const [notice, setNotice] = useState<string | null>(null);

  async function onSubmit(event: React.FormEvent) {
    event.preventDefault();
    setNotice(null);
    const body = { approvalHours: Number(v.approvalHours), provisioningMinutes: Number(v.provisioningMinutes) };
    const errors = validateWith(ZServiceStandards, body);
    if (Object.keys(errors).length > 0) return form.setFieldErrors(errors);
    if (await form.submit(() => putServiceStandards(api, body))) setNotice(t('opSettings.saved'));
  }

  return (
    <form className="card form-grid" aria-labelledby="standards-title" onSubmit={onSubmit} noValidate>
      <h2 id="standards-title">{t('opSettings.standardsTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      <Field label={t('opSettings.approvalHours')} type="number" min={0.1} step={0.1} value={v.approvalHours} onValue={(x) => setV((o) => ({ ...o, approvalHours: x }))} required readOnly={readOnly} error={form.fieldErrors.approvalHours} />
      <Field label={t('opSettings.provisioningMinutes')} type="number" min={1} value={v.provisioningMinutes} onValue={(x) => setV((o) => ({ ...o, provisioningMinutes: x }))} required readOnly={readOnly} error={form.fieldErrors.provisioningMinutes} />
      {readOnly ? null : (
        <FormActions busy={form.busy} saveLabel={t('opSettings.saveStandards')} />
      )}
    </form>
  );
}
