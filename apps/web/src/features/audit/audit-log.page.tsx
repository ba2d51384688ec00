import { auditActionName, auditTargetName } from '@betang/core';
import { useApi } from '../../api/api-context';
import { auditExportUrl, listAudit, type AuditEntry } from '../../api/audit.api';
import { auditQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { isConsoleUser, useMe } from '../../session/session-context';
import { Page } from '../../ui/page';
import { AUDIT_FILTER_KEYS, AuditFilters } from './audit-filters';
import { useUrlFilters } from '../find/url-filters';
import { usePagedList } from '../find/use-paged-list';
import { DataTable } from '../../ui/data-table';
import { ListSection } from '../../ui/list-section';
import { WithNote } from '../../ui/with-note';

function changes(entry: AuditEntry): string | null {
  if (entry.before === null && entry.after === null) return null;
  return JSON.stringify({ before: entry.before, after: entry.after }, null, 2);
}

/** The changes (before/after, folded) and the address of one entry. */
function AuditDetails({ entry }: { entry: AuditEntry }) {
  const { t } = useI18n();
  const diff = changes(entry);
  return (
    <>
      {diff ? (
        <details>
          <summary>{t('audit.showChanges')}</summary>
          <pre>{diff}</pre>
        </details>
      ) : null}
      {entry.ip ? <span className="muted small block">{t('audit.ip', { ip: entry.ip })}</span> : null}
    </>
  );
}

/**
 * Who did what, when (newest first): operators see everything, an institution head their
 * institution. Filters are kept in the URL; the CSV export takes the same filters.
 */
export function AuditLogPage() {
  const { t, dateTime, locale } = useI18n();
  const api = useApi();
  const me = useMe();
  const filters = useUrlFilters(AUDIT_FILTER_KEYS);
  const list = usePagedList(auditQuery(api, filters.query).queryKey, (cursor) => listAudit(api, filters.query, cursor));

  return (
    <Page title={t('audit.title')}>
      <p className="muted">{isConsoleUser(me.roles) ? t('audit.introConsole') : t('audit.introHead')}</p>
      <AuditFilters
        canChooseInstitution={isConsoleUser(me.roles)}
        values={filters.values}
        onApply={filters.apply}
        onClear={filters.clear}
      />
      <p>
        <a className="button" href={auditExportUrl(filters.query, locale)} download>
          {t('find.exportCsv')}
        </a>{' '}
        <span className="muted small">{t('find.exportHint')}</span>
      </p>
      <ListSection
        headingId="audit-list-title"
        title={t('audit.listTitle')}
        busy={list.busy}
        loading={list.loading}
        error={list.error}
        onMore={list.onMore}
      >
        <DataTable
          rows={list.items}
          empty={t('audit.empty')}
          columns={[
            { label: t('audit.at'), className: 'nowrap', cell: (entry) => dateTime(entry.at) },
            { label: t('audit.actor'), cell: (entry) => entry.actorLabel },
            { label: t('audit.action'), cell: (entry) => auditActionName(entry.action)[locale] },
            {
              label: t('audit.target'),
              cell: (entry) => <WithNote note={entry.targetId}>{auditTargetName(entry.targetType)[locale]}</WithNote>,
            },
            { label: t('audit.details'), cell: (entry) => <AuditDetails entry={entry} /> },
          ]}
        />
      </ListSection>
    </Page>
  );
}
