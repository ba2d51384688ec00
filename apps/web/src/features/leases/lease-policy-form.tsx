import { ZLeasePolicy, type LeasePolicy } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { getLeasePolicy, putLeasePolicy } from '../../api/leases.api';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { useContractForm } from '../../ui/use-contract-form';

function LeasePolicyForm({ initial, readOnly }: { initial: LeasePolicy; readOnly: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm({
    schema: ZLeasePolicy,
    defaultValues: { graceDays: String(initial.graceDays), destroyAfterDays: String(initial.destroyAfterDays) },
    toBody: (v) => ({ graceDays: Number(v.graceDays), destroyAfterDays: Number(v.destroyAfterDays) }),
  });
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <form
      className="card form-grid"
      aria-labelledby="lease-policy-title"
      onSubmit={(event) => {
        setNotice(null);
        return form.onSubmit(async (body) => {
          await putLeasePolicy(api, body);
          setNotice(t('opSettings.saved'));
        })(event);
      }}
      noValidate
    >
      <h2 id="lease-policy-title">{t('leases.policy.title')}</h2>
      <p className="muted">{t('leases.policy.intro')}</p>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      <Field
        label={t('leases.policy.graceDays')}
        type="number"
        min={1}
        max={365}
        {...form.bind('graceDays')}
        required
        readOnly={readOnly}
      />
      <Field
        label={t('leases.policy.destroyAfterDays')}
        type="number"
        min={1}
        max={365}
        {...form.bind('destroyAfterDays')}
        required
        readOnly={readOnly}
      />
      {readOnly ? null : <FormActions busy={form.busy} saveLabel={t('leases.policy.save')} />}
    </form>
  );
}

/** The lease policy (PUT /settings/lease-policy; admins only, read-only for others), loading its own setting. */
export function LeasePolicySettings({ readOnly }: { readOnly: boolean }) {
  const api = useApi();
  const policy = useQuery({ queryKey: ['settings', 'lease-policy'], queryFn: () => getLeasePolicy(api) });
  if (policy.error) return <ErrorAlert error={policy.error} />;
  return policy.data ? <LeasePolicyForm initial={policy.data} readOnly={readOnly} /> : null;
}
