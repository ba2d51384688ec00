import { ZQuotaLimits, type QuotaResponse } from '@betang/core';
import { useEffect, useState } from 'react';
import { useApi } from '../../api/api-context';
import { getQuota, putQuota } from '../../api/institutions.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useSubmit, validateWith } from '../../ui/form-state';
import { FormActions } from '../../ui/form-actions';

type Values = { cores: string; memoryGiB: string; diskGiB: string; vmCount: string };
const toValues = (q: QuotaResponse): Values => ({ cores: String(q.limits.cores), memoryGiB: String(q.limits.memoryMiB / 1024), diskGiB: String(q.limits.diskGiB), vmCount: String(q.limits.vmCount) });

/** Edits an institution's quota (PUT /institutions/:id/quota), each field showing current usage; memory is entered in GiB. */
export function QuotaForm({ institutionId, onSaved }: { institutionId: string; onSaved(): void }) {
  const { t, number } = useI18n();
  const api = useApi();
  const form = useSubmit();
  const [quota, setQuota] = useState<QuotaResponse | null>(null);
  const [values, setValues] = useState<Values>({ cores: '', memoryGiB: '', diskGiB: '', vmCount: '' });
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    getQuota(api, institutionId).then((q) => {
      setQuota(q);
      setValues(toValues(q));
    }, form.setError);
  }, [api, institutionId]);
  const set = (key: keyof Values) => (value: string) => setValues((v) => ({ ...v, [key]: value }));

  async function onSubmit(event: React.FormEvent) {
    event.preventDefault();
    setNotice(null);
    const body = { cores: Number(values.cores), memoryMiB: Math.round(Number(values.memoryGiB) * 1024), diskGiB: Number(values.diskGiB), vmCount: Number(values.vmCount) };
    const errors = validateWith(ZQuotaLimits, body);
    if (Object.keys(errors).length > 0) return form.setFieldErrors({ ...errors, ...(errors.memoryMiB ? { memoryGiB: errors.memoryMiB } : {}) });
    const saved = await form.submit(() => putQuota(api, institutionId, body));
    if (saved) {
      setQuota(saved);
      setValues(toValues(saved));
      setNotice(t('opInst.quotaSaved'));
      onSaved();
    }
  }

  const used = (value: number | undefined, unit: string) => (value === undefined ? undefined : t('opInst.inUse', { value: number(value), unit }));
  return (
    <form className="card form-grid" aria-labelledby="quota-form-title" onSubmit={onSubmit} noValidate>
      <h2 id="quota-form-title">{t('opInst.quotaTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      <Field label={t('quota.cores')} type="number" min={0} value={values.cores} onValue={set('cores')} required hint={used(quota?.usage.cores, t('unit.vcpu'))} error={form.fieldErrors.cores} />
      <Field label={t('opInst.memoryGiB')} type="number" min={0} step={0.5} value={values.memoryGiB} onValue={set('memoryGiB')} required hint={used(quota ? quota.usage.memoryMiB / 1024 : undefined, t('unit.gib'))} error={form.fieldErrors.memoryGiB} />
      <Field label={t('opInst.diskGiB')} type="number" min={0} value={values.diskGiB} onValue={set('diskGiB')} required hint={used(quota?.usage.diskGiB, t('unit.gib'))} error={form.fieldErrors.diskGiB} />
      <Field label={t('quota.vms')} type="number" min={0} value={values.vmCount} onValue={set('vmCount')} required hint={used(quota?.usage.vmCount, t('unit.vm'))} error={form.fieldErrors.vmCount} />
      <FormActions busy={form.busy} disabled={!quota} saveLabel={t('opInst.saveQuota')} />
    </form>
  );
}
