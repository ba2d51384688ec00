import { ZServiceStandards, type ServiceStandards } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { putServiceStandards } from '../../api/settings.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { useContractForm } from '../../ui/use-contract-form';

/** Target times the queue and board measure against (PUT /settings/service-standards). */
export function ServiceStandardsForm({ initial, readOnly }: { initial: ServiceStandards; readOnly: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm({
    schema: ZServiceStandards,
    defaultValues: { approvalHours: String(initial.approvalHours), provisioningMinutes: String(initial.provisioningMinutes) },
    toBody: (v) => ({ approvalHours: Number(v.approvalHours), provisioningMinutes: Number(v.provisioningMinutes) }),
  });
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <form
      className="card form-grid"
      aria-labelledby="standards-title"
      onSubmit={(event) => {
        setNotice(null);
        return form.onSubmit(async (body) => {
          await putServiceStandards(api, body);
          setNotice(t('opSettings.saved'));
        })(event);
      }}
      noValidate
    >
      <h2 id="standards-title">{t('opSettings.standardsTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      <Field
        label={t('opSettings.approvalHours')}
        type="number"
        min={0.1}
        step={0.1}
        {...form.bind('approvalHours')}
        required
        readOnly={readOnly}
      />
      <Field
        label={t('opSettings.provisioningMinutes')}
        type="number"
        min={1}
        {...form.bind('provisioningMinutes')}
        required
        readOnly={readOnly}
      />
      {readOnly ? null : <FormActions busy={form.busy} saveLabel={t('opSettings.saveStandards')} />}
    </form>
  );
}
