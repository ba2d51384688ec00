import { ZCreateAgreementBody, type AgreementDto, type CreateAgreementBody, type InstitutionDto } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { createAgreement } from '../../api/agreements.api';
import { useQuery } from '@tanstack/react-query';
import { applicationsOfInstitutionQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { CheckboxGroup, Field } from '../../ui/field';
import { useSubmit, validateWith } from '../../ui/form-state';
import { SelectField } from '../../ui/select-field';
import { currentFiscalYear } from './agreement-status';
import { FormActions } from '../../ui/form-actions';

const CEILING = { cores: '16', memoryGiB: '32', diskGiB: '500', vmCount: '8', ipCount: '8' };

/** Generates an agreement for an institution: term = fiscal year (or a custom term), ceiling, covered applications. */
export function CreateAgreementForm({ institutions, onCreated }: { institutions: readonly InstitutionDto[]; onCreated(agreement: AgreementDto): void }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useSubmit();
  const [institutionId, setInstitutionId] = useState('');
  const [fiscalYear, setFiscalYear] = useState(String(currentFiscalYear()));
  const [customTerm, setCustomTerm] = useState(false);
  const [term, setTerm] = useState({ start: '', end: '' });
  const [ceiling, setCeiling] = useState(CEILING);
  const [applicationIds, setApplicationIds] = useState<string[]>([]);
  const applications = useQuery({ ...applicationsOfInstitutionQuery(api, institutionId), enabled: institutionId !== '' });
  const setC = (key: keyof typeof CEILING) => (value: string) => setCeiling((c) => ({ ...c, [key]: value }));
  const e = form.fieldErrors;

  async function onSubmit(event: React.FormEvent) {
    event.preventDefault();
    const body: CreateAgreementBody = {
      institutionId,
      ...(customTerm ? { termStart: term.start, termEnd: term.end } : { fiscalYear: Number(fiscalYear) }),
      ceiling: { cores: Number(ceiling.cores), memoryMiB: Math.round(Number(ceiling.memoryGiB) * 1024), diskGiB: Number(ceiling.diskGiB), vmCount: Number(ceiling.vmCount), ipCount: Number(ceiling.ipCount) },
      applicationIds,
    };
    const errors = validateWith(ZCreateAgreementBody, body);
    if (errors['ceiling.memoryMiB']) errors['ceiling.memoryGiB'] = errors['ceiling.memoryMiB'];
    if (Object.keys(errors).length > 0) return form.setFieldErrors(errors);
    const created = await form.submit(() => createAgreement(api, body));
    if (created) {
      setApplicationIds([]);
      onCreated(created);
    }
  }

  return (
    <form className="card form-grid" aria-labelledby="create-agreement-title" onSubmit={onSubmit} noValidate>
      <h2 id="create-agreement-title">{t('opAgreements.createTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={e} />
      <SelectField
        label={t('opAgreements.institution')}
        value={institutionId}
        onValue={(value) => {
          setInstitutionId(value);
          setApplicationIds([]);
        }}
        placeholder={t('opAgreements.pickInstitution')}
        options={institutions.map((i) => ({ value: i.id, label: i.name }))}
        required
        error={e.institutionId}
      />
      {customTerm ? (
        <>
          <Field label={t('opAgreements.termStart')} type="date" value={term.start} onValue={(start) => setTerm((x) => ({ ...x, start }))} required error={e.termStart} />
          <Field label={t('opAgreements.termEnd')} type="date" value={term.end} onValue={(end) => setTerm((x) => ({ ...x, end }))} required error={e.termEnd} />
        </>
      ) : (
        <Field label={t('opAgreements.fiscalYear')} hint={t('opAgreements.fiscalYearHint', { year: fiscalYear })} type="number" min={2020} max={2100} value={fiscalYear} onValue={setFiscalYear} required error={e.fiscalYear} />
      )}
      <label className="choice field-wide">
        <input type="checkbox" checked={customTerm} onChange={(event) => setCustomTerm(event.target.checked)} />
        {t('opAgreements.customTerm')}
      </label>
      <fieldset className="level-box">
        <legend>{t('opAgreements.ceiling')}</legend>
        <div className="nums">
          <Field label={t('opAgreements.cores')} type="number" min={1} value={ceiling.cores} onValue={setC('cores')} required error={e['ceiling.cores']} />
          <Field label={t('opAgreements.memoryGiB')} type="number" min={1} value={ceiling.memoryGiB} onValue={setC('memoryGiB')} required error={e['ceiling.memoryGiB']} />
          <Field label={t('opAgreements.diskGiB')} type="number" min={1} value={ceiling.diskGiB} onValue={setC('diskGiB')} required error={e['ceiling.diskGiB']} />
          <Field label={t('opAgreements.vmCount')} type="number" min={1} value={ceiling.vmCount} onValue={setC('vmCount')} required error={e['ceiling.vmCount']} />
          <Field label={t('opAgreements.ipCount')} type="number" min={0} value={ceiling.ipCount} onValue={setC('ipCount')} required error={e['ceiling.ipCount']} />
        </div>
      </fieldset>
      {institutionId && applications.data && applications.data.items.length === 0 ? <p className="field-wide">{t('opAgreements.noApplications')}</p> : null}
      {applications.data && applications.data.items.length > 0 ? (
        <CheckboxGroup legend={t('opAgreements.applications')} options={applications.data.items.map((a) => ({ value: a.id, label: a.name }))} selected={applicationIds} onChange={setApplicationIds} error={e.applicationIds} />
      ) : null}
      {!applications.data?.items.length && e.applicationIds ? <p className="field-error field-wide">{e.applicationIds}</p> : null}
      <FormActions busy={form.busy} saveLabel={t('opAgreements.create')} />
    </form>
  );
}
