import type { InstitutionDto } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { listInstitutions } from '../../api/institutions.api';
import { useResource } from '../../api/use-resource';
import { useI18n } from '../../i18n/i18n-context';
import { Link } from '../../router/router';
import { ErrorAlert, Loading } from '../../ui/alert';
import { TableWrap } from '../../ui/table-wrap';

/** Every institution (operators), with a link to its quota and users; pages with "load more". */
export function InstitutionsTable() {
  const { t, date } = useI18n();
  const api = useApi();
  const first = useResource((client) => listInstitutions(client), []);
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
    <section className="card" aria-labelledby="institutions-title">
      <h2 id="institutions-title">{t('institutions.title')}</h2>
      {first.loading && !first.data ? <Loading /> : null}
      <ErrorAlert error={first.error ?? moreError} />
      {first.data && items.length === 0 ? <p>{t('institutions.empty')}</p> : null}
      {items.length > 0 ? (
        <TableWrap labelledBy="institutions-title">
          <table className="responsive">
            <thead>
              <tr>
                <th scope="col">{t('institutions.code')}</th>
                <th scope="col">{t('institutions.name')}</th>
                <th scope="col">{t('institutions.createdAt')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((institution) => (
                <tr key={institution.id}>
                  <td data-label={t('institutions.code')}>
                    <code>{institution.code}</code>
                  </td>
                  <td data-label={t('institutions.name')}>
                    <Link to={`/institutions/${institution.id}`}>{institution.name}</Link>
                  </td>
                  <td data-label={t('institutions.createdAt')}>{date(institution.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      {nextCursor ? (
        <button type="button" className="button" onClick={loadMore}>
          {t('common.loadMore')}
        </button>
      ) : null}
    </section>
  );
}
