import { auditActionName, auditTargetName } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { listAudit, type AuditEntry, type AuditFilter } from '../../api/audit.api';
import { useQuery } from '@tanstack/react-query';
import { auditQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { isConsoleUser, useMe } from '../../session/session-context';
import { Page } from '../../ui/page';
import { AuditFilters } from './audit-filters';
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

/** Who did what, when (newest first): operators see everything, an institution head their institution. */
export function AuditLogPage() {
  const { t, dateTime, locale } = useI18n();
  const api = useApi();
  const me = useMe();
  const [filter, setFilter] = useState<AuditFilter>({});
  const first = useQuery(auditQuery(api, filter));
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
      <ListSection
        headingId="audit-list-title"
        title={t('audit.listTitle')}
        busy={first.isFetching}
        loading={first.isFetching && !first.data}
        error={first.error ?? moreError}
        onMore={nextCursor ? loadMore : undefined}
      >
        <DataTable
          rows={first.data || items.length > 0 ? items : undefined}
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
