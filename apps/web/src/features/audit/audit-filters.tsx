import { useId } from 'react';
import { z } from 'zod';
import type { AuditFilter } from '../../api/audit.api';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { institutionListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { useContractForm } from '../../ui/use-contract-form';

// GET /audit-log's filters: empty inputs are left out.
const ZFilterValues = z.object({ action: z.string(), targetType: z.string(), institutionId: z.string() });
const EMPTY = { action: '', targetType: '', institutionId: '' };

/** Filter form of the audit log; the institution choice is offered to data-center staff only. */
export function AuditFilters({ canChooseInstitution, onApply }: { canChooseInstitution: boolean; onApply(filter: AuditFilter): void }) {
  const { t } = useI18n();
  const selectId = useId();
  const form = useContractForm({ schema: ZFilterValues, defaultValues: EMPTY });
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
        <Field label={t('audit.action')} hint={t('audit.actionHint')} {...form.bind('action')} />
        <Field label={t('audit.targetType')} hint={t('audit.targetTypeHint')} {...form.bind('targetType')} />
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
