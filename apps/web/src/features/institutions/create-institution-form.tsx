import { ZCreateInstitutionBody, type InstitutionDto } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { createInstitution } from '../../api/institutions.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useSubmit, validateWith } from '../../ui/form-state';
import { FormActions } from '../../ui/form-actions';

/** Admins add an institution (code, name, address); the API refuses a taken code with 409. */
export function CreateInstitutionForm({ onCreated }: { onCreated(institution: InstitutionDto): void }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useSubmit();
  const [values, setValues] = useState({ code: '', name: '', address: '' });
  const set = (key: keyof typeof values) => (value: string) => setValues((v) => ({ ...v, [key]: key === 'code' ? value.toUpperCase() : value }));

  async function onSubmit(event: React.FormEvent) {
    event.preventDefault();
    const body = { code: values.code.trim(), name: values.name, ...(values.address.trim() ? { address: values.address } : {}) };
    const errors = validateWith(ZCreateInstitutionBody, body);
    if (Object.keys(errors).length > 0) return form.setFieldErrors(errors);
    const created = await form.submit(() => createInstitution(api, body));
    if (created) {
      setValues({ code: '', name: '', address: '' });
      onCreated(created);
    }
  }

  return (
    <form className="card form-grid" aria-labelledby="create-institution-title" onSubmit={onSubmit} noValidate>
      <h2 id="create-institution-title">{t('opInst.createTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <Field label={t('opInst.code')} hint={t('opInst.codeHint')} value={values.code} onValue={set('code')} required maxLength={32} error={form.fieldErrors.code} />
      <Field label={t('opInst.name')} value={values.name} onValue={set('name')} required maxLength={200} error={form.fieldErrors.name} />
      <Field label={t('opInst.address')} value={values.address} onValue={set('address')} maxLength={500} error={form.fieldErrors.address} />
      <FormActions busy={form.busy} saveLabel={t('opInst.create')} />
    </form>
  );
}
