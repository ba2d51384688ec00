import { useId, useState, type FormEvent } from 'react';
import type { AuditFilter } from '../../api/audit.api';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { institutionListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';

/** Filter form of the audit log; the institution choice is offered to data-center staff only. */
export function AuditFilters({ canChooseInstitution, onApply }: { canChooseInstitution: boolean; onApply(filter: AuditFilter): void }) {
  const { t } = useI18n();
  const selectId = useId();
  const [action, setAction] = useState('');
  const [targetType, setTargetType] = useState('');
  const [institutionId, setInstitutionId] = useState('');
  const institutions = useQuery({ ...institutionListQuery(useApi()), enabled: canChooseInstitution });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    onApply({ action: action.trim() || undefined, targetType: targetType.trim() || undefined, institutionId: institutionId || undefined });
  }

  function onReset() {
    setAction('');
    setTargetType('');
    setInstitutionId('');
    onApply({});
  }

  return (
    <form className="card filters" onSubmit={onSubmit} aria-labelledby="audit-filter-title">
      <h2 id="audit-filter-title">{t('audit.filterTitle')}</h2>
      <div className="filter-row">
        <Field label={t('audit.action')} hint={t('audit.actionHint')} value={action} onValue={setAction} />
        <Field label={t('audit.targetType')} hint={t('audit.targetTypeHint')} value={targetType} onValue={setTargetType} />
        {canChooseInstitution ? (
          <div className="field">
            <label htmlFor={selectId}>{t('audit.institution')}</label>
            <select id={selectId} value={institutionId} onChange={(event) => setInstitutionId(event.target.value)}>
              <option value="">{t('audit.allInstitutions')}</option>
              {(institutions.data?.items ?? []).map((institution) => (
                <option key={institution.id} value={institution.id}>
                  {institution.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      <FormActions saveLabel={t('audit.apply')} onCancel={onReset} cancelLabel={t('audit.reset')} />
    </form>
  );
}
