import { INSTITUTION_ROLES } from '@betang/core';
import { listRequests } from '../../api/vps-requests.api';
import { useResource } from '../../api/use-resource';
import { useI18n } from '../../i18n/i18n-context';
import { Link } from '../../router/router';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { StatusBadge } from '../../ui/status-badge';
import { TableWrap } from '../../ui/table-wrap';
import { REQUEST_STATUS } from './request-labels';

/** VPS requests of the institution, newest first, each linking to its live detail. */
export function RequestsPage() {
  const { t, dateTime, number } = useI18n();
  const me = useMe();
  const requests = useResource((api) => listRequests(api), []);
  const mayRequest = holdsAny(me.roles, INSTITUTION_ROLES);
  return (
    <Page
      title={t('requests.title')}
      actions={
        mayRequest ? (
          <Link className="button primary" to="/vps-requests/new">
            {t('requests.new')}
          </Link>
        ) : null
      }
    >
      <section className="card" aria-labelledby="requests-list-title">
        <h2 id="requests-list-title">{t('requests.listTitle')}</h2>
        {requests.loading && !requests.data ? <Loading /> : null}
        <ErrorAlert error={requests.error} />
        {requests.data && requests.data.items.length === 0 ? <p>{t('requests.empty')}</p> : null}
        {requests.data && requests.data.items.length > 0 ? (
          <TableWrap labelledBy="requests-list-title">
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">{t('requests.hostname')}</th>
                  <th scope="col">{t('requests.statusLabel')}</th>
                  <th scope="col">{t('requests.size')}</th>
                  <th scope="col">{t('requests.address')}</th>
                  <th scope="col">{t('requests.submittedAt')}</th>
                </tr>
              </thead>
              <tbody>
                {requests.data.items.map((r) => (
                  <tr key={r.id}>
                    <td data-label={t('requests.hostname')}>
                      <Link to={`/vps-requests/${r.id}`}>{r.hostname}</Link>
                    </td>
                    <td data-label={t('requests.statusLabel')}>
                      <StatusBadge tone={REQUEST_STATUS[r.status].tone}>{t(REQUEST_STATUS[r.status].key)}</StatusBadge>
                      {r.run && ['queued', 'running'].includes(r.run.status) ? <span className="muted small block">{t('requests.progress', { percent: Math.round(r.run.progress) })}</span> : null}
                    </td>
                    <td data-label={t('requests.size')}>{t('requests.sizeValue', { cores: r.resources.cores, memory: number(r.resources.memoryMiB / 1024), disk: r.resources.diskGiB })}</td>
                    <td data-label={t('requests.address')}>{r.vm?.ipAddress ?? r.ipAddress ?? '—'}</td>
                    <td data-label={t('requests.submittedAt')}>{dateTime(r.createdAt)}</td>
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
