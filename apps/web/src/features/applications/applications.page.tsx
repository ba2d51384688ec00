import { formatNip, type ApplicationDto } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { APPLICATIONS_EXPORT_URL, deleteApplication } from '../../api/applications.api';
import { useMutation, useQuery } from '@tanstack/react-query';
import { applicationListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, LiveRegion } from '../../ui/alert';
import { ConfirmPanel } from '../../ui/confirm-panel';
import { Page } from '../../ui/page';
import { DataTable } from '../../ui/data-table';
import { ListSection } from '../../ui/list-section';
import { ApplicationForm } from './application-form';
import { ApplicationImport } from './application-import';
import { CLASSIFICATION_KEY, KIND_KEY, STATUS_KEY } from './application-labels';
import { WithNote } from '../../ui/with-note';
import { FilterBar } from '../find/filter-bar';
import { useUrlFilters } from '../find/url-filters';

const TEXT_FILTER = ['q'] as const;

type Mode = { kind: 'list' } | { kind: 'add' } | { kind: 'edit'; app: ApplicationDto } | { kind: 'delete'; app: ApplicationDto };

/** The SPBE application inventory of the institution: list, add, edit, delete, CSV export and import. */
export function ApplicationsPage() {
  const { t } = useI18n();
  const api = useApi();
  const filters = useUrlFilters(TEXT_FILTER);
  const apps = useQuery(applicationListQuery(api, filters.values.q));
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [notice, setNotice] = useState<string | null>(null);

  const done = (message: string) => {
    setMode({ kind: 'list' });
    setNotice(message);
    void apps.refetch();
  };

  const removal = useMutation({
    mutationFn: (app: ApplicationDto) => deleteApplication(api, app.id),
    onSuccess: (_answer, app) => done(t('apps.deleted', { name: app.name })),
  });
  const remove = (app: ApplicationDto) => removal.mutate(app);

  return (
    <Page
      title={t('apps.title')}
      actions={
        <>
          <button type="button" className="button primary" onClick={() => setMode({ kind: 'add' })}>
            {t('apps.add')}
          </button>
          <a className="button" href={APPLICATIONS_EXPORT_URL} download>
            {t('apps.export')}
          </a>
        </>
      }
    >
      <p className="muted">{t('apps.intro')}</p>
      <FilterBar
        headingId="apps-filter-title"
        title={t('find.filterTitle')}
        controls={[{ key: 'q', label: t('find.text'), kind: 'text', hint: t('find.textHintApps') }]}
        values={filters.values}
        onApply={filters.apply}
        onClear={filters.clear}
      />
      <LiveRegion kind="success">{notice}</LiveRegion>
      <ErrorAlert error={removal.error} />
      {mode.kind === 'add' ? (
        <ApplicationForm onSaved={(app) => done(t('apps.added', { name: app.name }))} onCancel={() => setMode({ kind: 'list' })} />
      ) : null}
      {mode.kind === 'edit' ? (
        <ApplicationForm
          key={mode.app.id}
          application={mode.app}
          onSaved={(app) => done(t('apps.saved', { name: app.name }))}
          onCancel={() => setMode({ kind: 'list' })}
        />
      ) : null}
      <ListSection headingId="apps-list-title" title={t('apps.listTitle')} loading={apps.isFetching && !apps.data} error={apps.error}>
        {mode.kind === 'delete' ? (
          <ConfirmPanel
            title={t('apps.deleteTitle', { name: mode.app.name })}
            confirmLabel={t('apps.deleteConfirm')}
            cancelLabel={t('common.cancel')}
            danger
            busy={removal.isPending}
            onConfirm={() => void remove(mode.app)}
            onCancel={() => setMode({ kind: 'list' })}
          >
            <p>{t('apps.deleteBody')}</p>
          </ConfirmPanel>
        ) : null}
        <DataTable
          rows={apps.data?.items}
          empty={t('apps.empty')}
          columns={[
            { label: t('apps.name'), cell: (app) => <WithNote note={app.url}>{app.name}</WithNote> },
            { label: t('apps.kind'), cell: (app) => t(KIND_KEY[app.kind]) },
            { label: t('apps.classification'), cell: (app) => t(CLASSIFICATION_KEY[app.dataClassification]) },
            { label: t('apps.status'), cell: (app) => t(STATUS_KEY[app.status]) },
            { label: t('apps.picName'), cell: (app) => <WithNote note={`NIP ${formatNip(app.picNip)}`}>{app.picName}</WithNote> },
          ]}
          actions={(app) => (
            <>
              <button
                type="button"
                className="button small"
                onClick={() => setMode({ kind: 'edit', app })}
                aria-label={t('apps.editLabel', { name: app.name })}
              >
                {t('common.edit')}
              </button>{' '}
              <button
                type="button"
                className="button small"
                onClick={() => setMode({ kind: 'delete', app })}
                aria-label={t('apps.deleteLabel', { name: app.name })}
              >
                {t('apps.delete')}
              </button>
            </>
          )}
        />
      </ListSection>
      <ApplicationImport onImported={() => void apps.refetch()} />
    </Page>
  );
}
