import type { ApplicationDto } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { APPLICATIONS_EXPORT_URL, deleteApplication, listApplications } from '../../api/applications.api';
import { useResource } from '../../api/use-resource';
import { useI18n } from '../../i18n/i18n-context';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { ConfirmPanel } from '../../ui/confirm-panel';
import { useSubmit } from '../../ui/form-state';
import { Page } from '../../ui/page';
import { TableWrap } from '../../ui/table-wrap';
import { ApplicationForm } from './application-form';
import { ApplicationImport } from './application-import';
import { CLASSIFICATION_KEY, KIND_KEY, STATUS_KEY } from './application-labels';

type Mode = { kind: 'list' } | { kind: 'add' } | { kind: 'edit'; app: ApplicationDto } | { kind: 'delete'; app: ApplicationDto };

/** The SPBE application inventory of the institution: list, add, edit, delete, CSV export and import. */
export function ApplicationsPage() {
  const { t } = useI18n();
  const api = useApi();
  const apps = useResource((client) => listApplications(client), []);
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [notice, setNotice] = useState<string | null>(null);
  const removal = useSubmit();

  const done = (message: string) => {
    setMode({ kind: 'list' });
    setNotice(message);
    apps.reload();
  };

  async function remove(app: ApplicationDto) {
    const ok = await removal.submit(async () => {
      await deleteApplication(api, app.id);
      return true;
    });
    if (ok) done(t('apps.deleted', { name: app.name }));
  }

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
      <LiveRegion kind="success">{notice}</LiveRegion>
      <ErrorAlert error={removal.error} />
      {mode.kind === 'add' ? <ApplicationForm onSaved={(app) => done(t('apps.added', { name: app.name }))} onCancel={() => setMode({ kind: 'list' })} /> : null}
      {mode.kind === 'edit' ? <ApplicationForm key={mode.app.id} application={mode.app} onSaved={(app) => done(t('apps.saved', { name: app.name }))} onCancel={() => setMode({ kind: 'list' })} /> : null}
      <section className="card" aria-labelledby="apps-list-title">
        <h2 id="apps-list-title">{t('apps.listTitle')}</h2>
        {apps.loading && !apps.data ? <Loading /> : null}
        <ErrorAlert error={apps.error} />
        {apps.data && apps.data.items.length === 0 ? <p>{t('apps.empty')}</p> : null}
        {mode.kind === 'delete' ? (
          <ConfirmPanel
            title={t('apps.deleteTitle', { name: mode.app.name })}
            confirmLabel={t('apps.deleteConfirm')}
            cancelLabel={t('common.cancel')}
            danger
            busy={removal.busy}
            onConfirm={() => void remove(mode.app)}
            onCancel={() => setMode({ kind: 'list' })}
          >
            <p>{t('apps.deleteBody')}</p>
          </ConfirmPanel>
        ) : null}
        {apps.data && apps.data.items.length > 0 ? (
          <TableWrap labelledBy="apps-list-title">
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">{t('apps.name')}</th>
                  <th scope="col">{t('apps.kind')}</th>
                  <th scope="col">{t('apps.classification')}</th>
                  <th scope="col">{t('apps.status')}</th>
                  <th scope="col">{t('apps.picName')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {apps.data.items.map((app) => (
                  <tr key={app.id}>
                    <td data-label={t('apps.name')}>
                      {app.name}
                      {app.url ? <span className="muted small block">{app.url}</span> : null}
                    </td>
                    <td data-label={t('apps.kind')}>{t(KIND_KEY[app.kind])}</td>
                    <td data-label={t('apps.classification')}>{t(CLASSIFICATION_KEY[app.dataClassification])}</td>
                    <td data-label={t('apps.status')}>{t(STATUS_KEY[app.status])}</td>
                    <td data-label={t('apps.picName')}>{app.picName}</td>
                    <td className="cell-actions">
                      <button type="button" className="button small" onClick={() => setMode({ kind: 'edit', app })} aria-label={t('apps.editLabel', { name: app.name })}>
                        {t('common.edit')}
                      </button>{' '}
                      <button type="button" className="button small" onClick={() => setMode({ kind: 'delete', app })} aria-label={t('apps.deleteLabel', { name: app.name })}>
                        {t('apps.delete')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
      </section>
      <ApplicationImport onImported={() => apps.reload()} />
    </Page>
  );
}
