import type { InstitutionDto } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { listInstitutions } from '../../api/institutions.api';
import { useQuery } from '@tanstack/react-query';
import { institutionListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { DataTable } from '../../ui/data-table';
import { ListSection } from '../../ui/list-section';

/** Every institution (operators), with a link to its quota and users; pages with "load more". */
export function InstitutionsTable() {
  const { t, date } = useI18n();
  const api = useApi();
  const first = useQuery(institutionListQuery(api));
  const [more, setMore] = useState<{ items: InstitutionDto[]; nextCursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : (first.data?.nextCursor ?? null);

  async function loadMore() {
    if (!nextCursor) return;
    try {
      const page = await listInstitutions(api, nextCursor);
      setMore((previous) => ({ items: [...(previous?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
    } catch (error) {
      setMoreError(error);
    }
  }

  return (
    <ListSection
      headingId="institutions-title"
      title={t('institutions.title')}
      loading={first.isFetching && !first.data}
      error={first.error ?? moreError}
      onMore={nextCursor ? loadMore : undefined}
    >
      <DataTable
        rows={first.data || items.length > 0 ? items : undefined}
        empty={t('institutions.empty')}
        columns={[
          { label: t('institutions.code'), cell: (institution) => <code>{institution.code}</code> },
          { label: t('institutions.name'), cell: (institution) => <Link to={`/institutions/${institution.id}`}>{institution.name}</Link> },
          { label: t('institutions.createdAt'), cell: (institution) => date(institution.createdAt) },
        ]}
      />
    </ListSection>
  );
}
