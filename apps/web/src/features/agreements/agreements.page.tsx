import { listAgreements } from '../../api/agreements.api';
import { useResource } from '../../api/use-resource';
import { useI18n } from '../../i18n/i18n-context';
import { Link } from '../../router/router';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { StatusBadge } from '../../ui/status-badge';
import { TableWrap } from '../../ui/table-wrap';
import { AGREEMENT_STATUS } from './agreement-labels';

/** Agreements of the institution (data-center heads: all), newest first, each linking to its detail. */
export function AgreementsPage() {
  const { t, date, number } = useI18n();
  const agreements = useResource((api) => listAgreements(api), []);
  return (
    <Page title={t('agreements.title')}>
      <p className="muted">{t('agreements.intro')}</p>
      <section className="card" aria-labelledby="agreements-list-title">
        <h2 id="agreements-list-title">{t('agreements.listTitle')}</h2>
        {agreements.loading && !agreements.data ? <Loading /> : null}
        <ErrorAlert error={agreements.error} />
        {agreements.data && agreements.data.items.length === 0 ? <p>{t('agreements.empty')}</p> : null}
        {agreements.data && agreements.data.items.length > 0 ? (
          <TableWrap labelledBy="agreements-list-title">
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">{t('agreements.number')}</th>
                  <th scope="col">{t('agreements.institution')}</th>
                  <th scope="col">{t('agreements.statusLabel')}</th>
                  <th scope="col">{t('agreements.term')}</th>
                  <th scope="col">{t('agreements.daysLeftLabel')}</th>
                </tr>
              </thead>
              <tbody>
                {agreements.data.items.map((a) => (
                  <tr key={a.id}>
                    <td data-label={t('agreements.number')}>
                      <Link to={`/agreements/${a.id}`}>{a.number}</Link>
                    </td>
                    <td data-label={t('agreements.institution')}>{a.institutionName}</td>
                    <td data-label={t('agreements.statusLabel')}>
                      <StatusBadge tone={AGREEMENT_STATUS[a.status].tone}>{t(AGREEMENT_STATUS[a.status].key)}</StatusBadge>
                    </td>
                    <td data-label={t('agreements.term')}>{t('agreements.termRange', { start: date(a.termStart), end: date(a.termEnd) })}</td>
                    <td data-label={t('agreements.daysLeftLabel')}>{a.daysLeft >= 0 ? t('agreements.daysLeft', { days: number(a.daysLeft, 0) }) : t('agreements.ended')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
      </section>
    </Page>
  );
}
