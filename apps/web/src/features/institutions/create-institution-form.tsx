import { ZCreateInstitutionBody, type InstitutionDto } from '@betang/core';
import { useApi } from '../../api/api-context';
import { createInstitution } from '../../api/institutions.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { useContractForm } from '../../ui/use-contract-form';

const EMPTY = { code: '', name: '', address: '' };

/** Admins add an institution (code, name, address); the API refuses a taken code with 409. */
export function CreateInstitutionForm({ onCreated }: { onCreated(institution: InstitutionDto): void }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm({
    schema: ZCreateInstitutionBody,
    defaultValues: EMPTY,
    toBody: (v) => ({ code: v.code.trim(), name: v.name, ...(v.address.trim() ? { address: v.address } : {}) }),
  });

  return (
    <form
      className="card form-grid"
      aria-labelledby="create-institution-title"
      onSubmit={form.onSubmit(async (body) => {
        const created = await createInstitution(api, body);
        form.reset(EMPTY);
        onCreated(created);
      })}
      noValidate
    >
      <h2 id="create-institution-title">{t('opInst.createTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <Field
        label={t('opInst.code')}
        hint={t('opInst.codeHint')}
        {...form.bind('code')}
        onValue={(value) => form.set('code', value.toUpperCase())}
        required
        maxLength={32}
      />
      <Field label={t('opInst.name')} {...form.bind('name')} required maxLength={200} />
      <Field label={t('opInst.address')} {...form.bind('address')} maxLength={500} />
      <FormActions busy={form.busy} saveLabel={t('opInst.create')} />
    </form>
  );
}
