import { INSTITUTION_ROLES } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { requestListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { holdsAny, useMe } from '../../session/session-context';
import { Page } from '../../ui/page';
import { StatusBadge } from '../../ui/status-badge';
import { DataTable } from '../../ui/data-table';
import { ListSection } from '../../ui/list-section';
import { REQUEST_STATUS } from './request-labels';

/** VPS requests of the institution, newest first, each linking to its live detail. */
export function RequestsPage() {
  const { t, dateTime, number } = useI18n();
  const me = useMe();
  const requests = useQuery(requestListQuery(useApi()));
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
      <ListSection
        headingId="requests-list-title"
        title={t('requests.listTitle')}
        loading={requests.isFetching && !requests.data}
        error={requests.error}
      >
        <DataTable
          rows={requests.data?.items}
          empty={t('requests.empty')}
          columns={[
            { label: t('requests.hostname'), cell: (r) => <Link to={`/vps-requests/${r.id}`}>{r.hostname}</Link> },
            {
              label: t('requests.statusLabel'),
              cell: (r) => (
                <>
                  <StatusBadge tone={REQUEST_STATUS[r.status].tone}>{t(REQUEST_STATUS[r.status].key)}</StatusBadge>
                  {r.run && ['queued', 'running'].includes(r.run.status) ? (
                    <span className="muted small block">{t('requests.progress', { percent: Math.round(r.run.progress) })}</span>
                  ) : null}
                </>
              ),
            },
            {
              label: t('requests.size'),
              cell: (r) =>
                t('requests.sizeValue', {
                  cores: r.resources.cores,
                  memory: number(r.resources.memoryMiB / 1024),
                  disk: r.resources.diskGiB,
                }),
            },
            { label: t('requests.address'), cell: (r) => r.vm?.ipAddress ?? r.ipAddress ?? '—' },
            { label: t('requests.submittedAt'), cell: (r) => dateTime(r.createdAt) },
          ]}
        />
      </ListSection>
    </Page>
  );
}
