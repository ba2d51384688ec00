import { ZSnapshotPolicy, type SnapshotPolicy } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { putSnapshotPolicy } from '../../api/snapshots.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { useContractForm } from '../../ui/use-contract-form';

/** The VM snapshot limits (PUT /settings/snapshot-policy; admins only, read-only for others). */
export function SnapshotPolicyForm({ initial, readOnly }: { initial: SnapshotPolicy; readOnly: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm({
    schema: ZSnapshotPolicy,
    defaultValues: { maxPerVm: String(initial.maxPerVm), maxAgeDays: String(initial.maxAgeDays) },
    toBody: (v) => ({ maxPerVm: Number(v.maxPerVm), maxAgeDays: Number(v.maxAgeDays) }),
  });
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <form
      className="card form-grid"
      aria-labelledby="snapshot-policy-title"
      onSubmit={(event) => {
        setNotice(null);
        return form.onSubmit(async (body) => {
          await putSnapshotPolicy(api, body);
          setNotice(t('opSettings.saved'));
        })(event);
      }}
      noValidate
    >
      <h2 id="snapshot-policy-title">{t('snapshots.policy.title')}</h2>
      <p className="muted">{t('snapshots.policy.intro')}</p>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      <Field
        label={t('snapshots.policy.maxPerVm')}
        type="number"
        min={0}
        max={20}
        {...form.bind('maxPerVm')}
        required
        readOnly={readOnly}
      />
      <Field
        label={t('snapshots.policy.maxAgeDays')}
        type="number"
        min={1}
        max={90}
        {...form.bind('maxAgeDays')}
        required
        readOnly={readOnly}
      />
      {readOnly ? null : <FormActions busy={form.busy} saveLabel={t('snapshots.policy.save')} />}
    </form>
  );
}
