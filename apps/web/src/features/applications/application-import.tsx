import { useMutation } from '@tanstack/react-query';
import type { ApplicationImportResult, ImportRowError } from '@betang/core';
import { ZImportRowError } from '@betang/core';
import { useId, useState, type ChangeEvent } from 'react';
import { useApi } from '../../api/api-context';
import { ApiError } from '../../api/api-error';
import { importApplications } from '../../api/applications.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { TableWrap } from '../../ui/table-wrap';

/** Row errors of a refused real import (400 VALIDATION_FAILED carries them in details). */
function rowErrorsOf(error: unknown): ImportRowError[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return [];
  return error.details.flatMap((item) => {
    const parsed = ZImportRowError.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * CSV import in two steps: a dry run that lists every row error and writes nothing, then — only
 * when the dry run found none — the real import of the same file.
 */
export function ApplicationImport({ onImported }: { onImported(): void }) {
  const { t, locale, number } = useI18n();
  const api = useApi();
  const fileId = useId();
  const [csv, setCsv] = useState<{ name: string; text: string } | null>(null);
  const [check, setCheck] = useState<ApplicationImportResult | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // A dry run checks every row and writes nothing; the real import runs only on a clean check.
  const upload = useMutation({
    mutationFn: ({ text, dryRun }: { text: string; dryRun: boolean }) => importApplications(api, text, dryRun, locale),
  });

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setCheck(null);
    setNotice(null);
    upload.reset();
    if (!file) return setCsv(null);
    const text = await file.text();
    setCsv({ name: file.name, text });
    upload.mutate({ text, dryRun: true }, { onSuccess: setCheck });
  }

  function importNow() {
    if (!csv) return;
    upload.mutate(
      { text: csv.text, dryRun: false },
      {
        onSuccess: (result) => {
          setNotice(t('apps.importDone', { created: number(result.created, 0), updated: number(result.updated, 0) }));
          setCheck(null);
          setCsv(null);
          onImported();
        },
      },
    );
  }

  const errors = check?.errors ?? rowErrorsOf(upload.error);
  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">{t('apps.importTitle')}</h2>
      <p className="hint">{t('apps.importIntro')}</p>
      <LiveRegion kind="success">{notice}</LiveRegion>
      <FormAlert error={upload.error} fieldErrors={{}} />
      <div className="field">
        <label htmlFor={fileId}>{t('apps.importFile')}</label>
        <input id={fileId} type="file" accept=".csv,text/csv" onChange={(event) => void onFile(event)} />
      </div>
      {check ? (
        <p role="status">
          {errors.length === 0
            ? t('apps.importCheckOk', { rows: number(check.rows, 0), created: number(check.created, 0), updated: number(check.updated, 0) })
            : t('apps.importCheckErrors', { rows: check.rows, count: errors.length })}
        </p>
      ) : null}
      {errors.length > 0 ? (
        <TableWrap labelledBy="import-errors-title">
          <h3 id="import-errors-title">{t('apps.importErrorsTitle')}</h3>
          <table className="responsive">
            <thead>
              <tr>
                <th scope="col">{t('apps.importRow')}</th>
                <th scope="col">{t('apps.importColumn')}</th>
                <th scope="col">{t('apps.importMessage')}</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((error, index) => (
                <tr key={`${error.row}-${error.column ?? ''}-${index}`}>
                  <td data-label={t('apps.importRow')}>{error.row}</td>
                  <td data-label={t('apps.importColumn')}>{error.column ?? '—'}</td>
                  <td data-label={t('apps.importMessage')}>{error.message[locale]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <div className="form-actions">
        <button type="button" className="button primary" disabled={!check || errors.length > 0 || upload.isPending} onClick={importNow}>
          {t('apps.importSubmit')}
        </button>
      </div>
    </section>
  );
}
