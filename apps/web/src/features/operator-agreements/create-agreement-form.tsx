import { ZCreateAgreementBody, type AgreementDto, type CreateAgreementBody, type InstitutionDto } from '@betang/core';
import { useApi } from '../../api/api-context';
import { createAgreement } from '../../api/agreements.api';
import { useQuery } from '@tanstack/react-query';
import { applicationsOfInstitutionQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { CheckboxGroup, Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { SelectField } from '../../ui/select-field';
import { currentFiscalYear } from './agreement-status';
import { FormActions } from '../../ui/form-actions';

const CEILING = { cores: '16', memoryGiB: '32', diskGiB: '500', vmCount: '8', ipCount: '8' };

/** Generates an agreement for an institution: term = fiscal year (or a custom term), ceiling, covered applications. */
export function CreateAgreementForm({
  institutions,
  onCreated,
}: {
  institutions: readonly InstitutionDto[];
  onCreated(agreement: AgreementDto): void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm({
    schema: ZCreateAgreementBody,
    defaultValues: {
      institutionId: '',
      fiscalYear: String(currentFiscalYear()),
      customTerm: false,
      termStart: '',
      termEnd: '',
      ceiling: CEILING,
      applicationIds: [] as string[],
    },
    toBody: (v): CreateAgreementBody => ({
      institutionId: v.institutionId,
      ...(v.customTerm ? { termStart: v.termStart, termEnd: v.termEnd } : { fiscalYear: Number(v.fiscalYear) }),
      ceiling: {
        cores: Number(v.ceiling.cores),
        memoryMiB: Math.round(Number(v.ceiling.memoryGiB) * 1024),
        diskGiB: Number(v.ceiling.diskGiB),
        vmCount: Number(v.ceiling.vmCount),
        ipCount: Number(v.ceiling.ipCount),
      },
      applicationIds: v.applicationIds,
    }),
  });
  const { institutionId, fiscalYear, customTerm, applicationIds } = form.values;
  const applications = useQuery({ ...applicationsOfInstitutionQuery(api, institutionId), enabled: institutionId !== '' });
  const e = form.fieldErrors;

  return (
    <form
      className="card form-grid"
      aria-labelledby="create-agreement-title"
      onSubmit={form.onSubmit(async (body) => {
        const created = await createAgreement(api, body);
        form.set('applicationIds', []);
        onCreated(created);
      })}
      noValidate
    >
      <h2 id="create-agreement-title">{t('opAgreements.createTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={e} />
      <SelectField
        label={t('opAgreements.institution')}
        value={institutionId}
        onValue={(value) => {
          form.set('institutionId', value);
          form.set('applicationIds', []);
        }}
        placeholder={t('opAgreements.pickInstitution')}
        options={institutions.map((i) => ({ value: i.id, label: i.name }))}
        required
        error={e.institutionId}
      />
      {customTerm ? (
        <>
          <Field label={t('opAgreements.termStart')} type="date" {...form.bind('termStart')} required />
          <Field label={t('opAgreements.termEnd')} type="date" {...form.bind('termEnd')} required />
        </>
      ) : (
        <Field
          label={t('opAgreements.fiscalYear')}
          hint={t('opAgreements.fiscalYearHint', { year: fiscalYear })}
          type="number"
          min={2020}
          max={2100}
          {...form.bind('fiscalYear')}
          required
        />
      )}
      <label className="choice field-wide">
        <input type="checkbox" checked={customTerm} onChange={(event) => form.set('customTerm', event.target.checked)} />
        {t('opAgreements.customTerm')}
      </label>
      <fieldset className="level-box">
        <legend>{t('opAgreements.ceiling')}</legend>
        <div className="nums">
          <Field
            label={t('opAgreements.cores')}
            type="number"
            min={1}
            {...form.bind('ceiling.cores')}
            error={e['ceiling.cores']}
            required
          />
          <Field
            label={t('opAgreements.memoryGiB')}
            type="number"
            min={1}
            {...form.bind('ceiling.memoryGiB')}
            error={e['ceiling.memoryMiB']}
            required
          />
          <Field
            label={t('opAgreements.diskGiB')}
            type="number"
            min={1}
            {...form.bind('ceiling.diskGiB')}
            error={e['ceiling.diskGiB']}
            required
          />
          <Field
            label={t('opAgreements.vmCount')}
            type="number"
            min={1}
            {...form.bind('ceiling.vmCount')}
            error={e['ceiling.vmCount']}
            required
          />
          <Field
            label={t('opAgreements.ipCount')}
            type="number"
            min={0}
            {...form.bind('ceiling.ipCount')}
            error={e['ceiling.ipCount']}
            required
          />
        </div>
      </fieldset>
      {institutionId && applications.data && applications.data.items.length === 0 ? (
        <p className="field-wide">{t('opAgreements.noApplications')}</p>
      ) : null}
      {applications.data && applications.data.items.length > 0 ? (
        <CheckboxGroup
          legend={t('opAgreements.applications')}
          options={applications.data.items.map((a) => ({ value: a.id, label: a.name }))}
          selected={applicationIds}
          onChange={(ids) => form.set('applicationIds', ids)}
          error={e.applicationIds}
        />
      ) : null}
      {!applications.data?.items.length && e.applicationIds ? <p className="field-error field-wide">{e.applicationIds}</p> : null}
      <FormActions busy={form.busy} saveLabel={t('opAgreements.create')} />
    </form>
  );
}
