import { AUDIT_ACTION_NAMES, AUDIT_TARGET_NAMES, type LocalizedText } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { institutionListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { FilterBar, type FilterControl } from '../find/filter-bar';
import type { FilterValues } from '../find/url-filters';

/** The audit log's filters as URL parameters (GET /audit-log's query names). */
export const AUDIT_FILTER_KEYS = ['action', 'targetType', 'actor', 'from', 'to', 'institutionId'] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];

/** Choices of a filter: each code under its readable name, sorted by that name in `locale`. */
function choices(names: Record<string, LocalizedText>, locale: keyof LocalizedText) {
  return Object.entries(names)
    .map(([value, name]) => ({ value, label: name[locale] }))
    .sort((a, b) => a.label.localeCompare(b.label, locale));
}

type Props = {
  /** The institution choice is offered to data-center staff only. */
  canChooseInstitution: boolean;
  values: FilterValues<AuditFilterKey>;
  onApply(values: FilterValues<AuditFilterKey>): void;
  onClear(): void;
};

/** Filter form of the audit log: action and target by readable name, actor, days, institution. */
export function AuditFilters({ canChooseInstitution, values, onApply, onClear }: Props) {
  const { t, locale } = useI18n();
  const institutions = useQuery({ ...institutionListQuery(useApi()), enabled: canChooseInstitution });
  const controls: FilterControl<AuditFilterKey>[] = [
    {
      key: 'action',
      label: t('audit.action'),
      kind: 'choice',
      any: t('words.auditAnyAction'),
      options: choices(AUDIT_ACTION_NAMES, locale),
    },
    {
      key: 'targetType',
      label: t('audit.targetType'),
      kind: 'choice',
      any: t('words.auditAnyTarget'),
      options: choices(AUDIT_TARGET_NAMES, locale),
    },
    { key: 'actor', label: t('audit.actor'), kind: 'text', hint: t('find.actorHint') },
    { key: 'from', label: t('find.from'), kind: 'date' },
    { key: 'to', label: t('find.to'), kind: 'date' },
  ];
  if (canChooseInstitution)
    controls.push({
      key: 'institutionId',
      label: t('audit.institution'),
      kind: 'choice',
      any: t('audit.allInstitutions'),
      options: (institutions.data?.items ?? []).map((institution) => ({ value: institution.id, label: institution.name })),
    });
  return (
    <FilterBar
      headingId="audit-filter-title"
      title={t('audit.filterTitle')}
      controls={controls}
      values={values}
      onApply={onApply}
      onClear={onClear}
      applyLabel={t('audit.apply')}
      clearLabel={t('audit.reset')}
    />
  );
}
