import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { listAudit, type AuditEntry, type AuditFilter } from '../../api/audit.api';
import { useResource } from '../../api/use-resource';
import { useI18n } from '../../i18n/i18n-context';
import { isConsoleUser, useMe } from '../../session/session-context';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { AuditFilters } from './audit-filters';
import { TableWrap } from '../../ui/table-wrap';

function changes(entry: AuditEntry): string | null {
  if (entry.before === null && entry.after === null) return null;
  return JSON.stringify({ before: entry.before, after: entry.after }, null, 2);
}

/** Who did what, when (newest first): operators see everything, an institution head their institution. */
export function AuditLogPage() {
  const { t, dateTime } = useI18n();
  const api = useApi();
  const me = useMe();
  const [filter, setFilter] = useState<AuditFilter>({});
  const first = useResource((client) => listAudit(client, filter), [JSON.stringify(filter)]);
  const [more, setMore] = useState<{ key: string; items: AuditEntry[]; nextCursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const key = JSON.stringify(filter);
  const extra = more?.key === key ? more : null;
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])];
  const nextCursor = extra ? extra.nextCursor : (first.data?.nextCursor ?? null);

  async function loadMore() {
    if (!nextCursor) return;
    try {
      const page = await listAudit(api, filter, nextCursor);
      setMore({ key, items: [...(extra?.items ?? []), ...page.items], nextCursor: page.nextCursor });
    } catch (error) {
      setMoreError(error);
    }
  }

  return (
    <Page title={t('audit.title')}>
      <p className="muted">{isConsoleUser(me.roles) ? t('audit.introConsole') : t('audit.introHead')}</p>
      <AuditFilters canChooseInstitution={isConsoleUser(me.roles)} onApply={setFilter} />
      <section className="card" aria-labelledby="audit-list-title" aria-busy={first.loading}>
        <h2 id="audit-list-title">{t('audit.listTitle')}</h2>
        {first.loading && !first.data ? <Loading /> : null}
        <ErrorAlert error={first.error ?? moreError} />
        {first.data && items.length === 0 ? <p>{t('audit.empty')}</p> : null}
        {items.length > 0 ? (
          <TableWrap labelledBy="audit-list-title">
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">{t('audit.at')}</th>
                  <th scope="col">{t('audit.actor')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('audit.target')}</th>
                  <th scope="col">{t('audit.details')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((entry) => {
                  const diff = changes(entry);
                  return (
                    <tr key={entry.id}>
                      <td data-label={t('audit.at')} className="nowrap">{dateTime(entry.at)}</td>
                      <td data-label={t('audit.actor')}>{entry.actorLabel}</td>
                      <td data-label={t('audit.action')}>
                        <code>{entry.action}</code>
                      </td>
                      <td data-label={t('audit.target')}>
                        {entry.targetType}
                        {entry.targetId ? <span className="muted small block">{entry.targetId}</span> : null}
                      </td>
                      <td data-label={t('audit.details')}>
                        {diff ? (
                          <details>
                            <summary>{t('audit.showChanges')}</summary>
                            <pre>{diff}</pre>
                          </details>
                        ) : null}
                        {entry.ip ? <span className="muted small block">{t('audit.ip', { ip: entry.ip })}</span> : null}
                      </td>
                    </tr>
                  );
                })}
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
    </Page>
  );
}
