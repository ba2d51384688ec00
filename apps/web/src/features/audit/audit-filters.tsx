import { AUDIT_ACTION_NAMES, AUDIT_TARGET_NAMES, type LocalizedText } from '@betang/core';
import { useId } from 'react';
import type { AuditFilter } from '../../api/audit.api';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { institutionListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { FormActions } from '../../ui/form-actions';
import { SelectField } from '../../ui/select-field';
import { useContractForm } from '../../ui/use-contract-form';
import { ZAuditFilterValues } from '../../forms/form-schemas';

const EMPTY = { action: '', targetType: '', institutionId: '' };

/** Choices of a filter: each code under its readable name, sorted by that name in `locale`. */
function choices(names: Record<string, LocalizedText>, locale: keyof LocalizedText) {
  return Object.entries(names)
    .map(([value, name]) => ({ value, label: name[locale] }))
    .sort((a, b) => a.label.localeCompare(b.label, locale));
}

/** Filter form of the audit log; the institution choice is offered to data-center staff only. */
export function AuditFilters({ canChooseInstitution, onApply }: { canChooseInstitution: boolean; onApply(filter: AuditFilter): void }) {
  const { t, locale } = useI18n();
  const selectId = useId();
  const form = useContractForm({ schema: ZAuditFilterValues, defaultValues: EMPTY });
  const institutions = useQuery({ ...institutionListQuery(useApi()), enabled: canChooseInstitution });

  const onSubmit = form.onSubmit(async ({ action, targetType, institutionId }) =>
    onApply({ action: action.trim() || undefined, targetType: targetType.trim() || undefined, institutionId: institutionId || undefined }),
  );

  function onReset() {
    form.reset(EMPTY);
    onApply({});
  }

  return (
    <form className="card filters" onSubmit={onSubmit} aria-labelledby="audit-filter-title">
      <h2 id="audit-filter-title">{t('audit.filterTitle')}</h2>
      <div className="filter-row">
        <SelectField
          label={t('audit.action')}
          placeholder={t('words.auditAnyAction')}
          options={choices(AUDIT_ACTION_NAMES, locale)}
          {...form.bind('action')}
        />
        <SelectField
          label={t('audit.targetType')}
          placeholder={t('words.auditAnyTarget')}
          options={choices(AUDIT_TARGET_NAMES, locale)}
          {...form.bind('targetType')}
        />
        {canChooseInstitution ? (
          <div className="field">
            <label htmlFor={selectId}>{t('audit.institution')}</label>
            <select id={selectId} value={form.values.institutionId} onChange={(event) => form.set('institutionId', event.target.value)}>
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
