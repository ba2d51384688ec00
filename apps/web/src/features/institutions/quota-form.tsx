import { ZQuotaLimits, type QuotaResponse } from '@betang/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../../api/api-context';
import { putQuota } from '../../api/institutions.api';
import { quotaQuery } from '../../api/queries';
import { queryKeys } from '../../api/query-keys';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { useContractForm } from '../../ui/use-contract-form';

type Values = { cores: string; memoryGiB: string; diskGiB: string; vmCount: string };
const toValues = (q: QuotaResponse): Values => ({
  cores: String(q.limits.cores),
  memoryGiB: String(q.limits.memoryMiB / 1024),
  diskGiB: String(q.limits.diskGiB),
  vmCount: String(q.limits.vmCount),
});

/** Edits an institution's quota (PUT /institutions/:id/quota), each field showing current usage; memory is entered in GiB. */
export function QuotaForm({ institutionId, onSaved }: { institutionId: string; onSaved(): void }) {
  const { t, number } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const loaded = useQuery(quotaQuery(api, institutionId));
  const quota = loaded.data ?? null;
  const form = useContractForm({
    schema: ZQuotaLimits,
    defaultValues: { cores: '', memoryGiB: '', diskGiB: '', vmCount: '' } as Values,
    toBody: (v: Values) => ({
      cores: Number(v.cores),
      memoryMiB: Math.round(Number(v.memoryGiB) * 1024),
      diskGiB: Number(v.diskGiB),
      vmCount: Number(v.vmCount),
    }),
  });
  const { reset } = form;
  const [notice, setNotice] = useState<string | null>(null);
  // The inputs start from the stored limits, and again after each save (the API's answer).
  useEffect(() => {
    if (quota) reset(toValues(quota));
  }, [quota, reset]);

  const used = (value: number | undefined, unit: string) =>
    value === undefined ? undefined : t('opInst.inUse', { value: number(value), unit });
  return (
    <form
      className="card form-grid"
      aria-labelledby="quota-form-title"
      onSubmit={(event) => {
        setNotice(null);
        return form.onSubmit(async (body) => {
          const saved = await putQuota(api, institutionId, body);
          queryClient.setQueryData(queryKeys.quota(institutionId), saved);
          setNotice(t('opInst.quotaSaved'));
          onSaved();
        })(event);
      }}
      noValidate
    >
      <h2 id="quota-form-title">{t('opInst.quotaTitle')}</h2>
      <FormAlert error={form.error ?? loaded.error} fieldErrors={form.fieldErrors} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      <Field
        label={t('quota.cores')}
        type="number"
        min={0}
        {...form.bind('cores')}
        required
        hint={used(quota?.usage.cores, t('unit.vcpu'))}
      />
      <Field
        label={t('opInst.memoryGiB')}
        type="number"
        min={0}
        step={0.5}
        {...form.bind('memoryGiB')}
        error={form.fieldErrors.memoryMiB}
        required
        hint={used(quota ? quota.usage.memoryMiB / 1024 : undefined, t('unit.gib'))}
      />
      <Field
        label={t('opInst.diskGiB')}
        type="number"
        min={0}
        {...form.bind('diskGiB')}
        required
        hint={used(quota?.usage.diskGiB, t('unit.gib'))}
      />
      <Field
        label={t('quota.vms')}
        type="number"
        min={0}
        {...form.bind('vmCount')}
        required
        hint={used(quota?.usage.vmCount, t('unit.vm'))}
      />
      <FormActions busy={form.busy} disabled={!quota} saveLabel={t('opInst.saveQuota')} />
    </form>
  );
}
