import type { EstateImportResultDto, ImportRowError } from '@betang/core';
import { ZImportRowError } from '@betang/core';
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type ChangeEvent } from 'react';
import { useApi } from '../../api/api-context';
import { ApiError } from '../../api/api-error';
import { estateExportUrl, importEstate } from '../../api/estate.api';
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
 * Bulk adoption: download the mapping (Betang's proposals filled in), correct it, upload it. The
 * upload is first checked as a dry run (every row error listed, nothing adopted); only a clean
 * check may be adopted, all rows in one go.
 */
export function EstateImport({ onImported }: { onImported(): void }) {
  const { t, locale, number } = useI18n();
  const api = useApi();
  const fileId = useId();
  const [csv, setCsv] = useState<string | null>(null);
  const [check, setCheck] = useState<EstateImportResultDto | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: ({ text, dryRun }: { text: string; dryRun: boolean }) => importEstate(api, text, dryRun, locale),
  });

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setCheck(null);
    setNotice(null);
    upload.reset();
    if (!file) return setCsv(null);
    const text = await file.text();
    setCsv(text);
    upload.mutate({ text, dryRun: true }, { onSuccess: setCheck });
  }

  const errors = check?.errors ?? rowErrorsOf(upload.error);
  return (
    <section className="card" aria-labelledby="estate-import-title">
      <h2 id="estate-import-title">{t('adoption.importTitle')}</h2>
      <p className="hint">{t('adoption.importIntro')}</p>
      <p>
        <a className="button" href={estateExportUrl(locale)} download>
          {t('adoption.export')}
        </a>
      </p>
      <LiveRegion kind="success">{notice}</LiveRegion>
      <FormAlert error={upload.error} fieldErrors={{}} />
      <div className="field">
        <label htmlFor={fileId}>{t('adoption.importFile')}</label>
        <input id={fileId} type="file" accept=".csv,text/csv" onChange={(event) => void onFile(event)} />
      </div>
      {check ? (
        <p role="status">
          {errors.length === 0
            ? t('adoption.importCheckOk', { rows: number(check.rows, 0), adopt: number(check.adopted, 0) })
            : t('adoption.importCheckErrors', { count: errors.length })}
        </p>
      ) : null}
      {errors.length > 0 ? (
        <TableWrap labelledBy="estate-import-errors">
          <h3 id="estate-import-errors">{t('adoption.importErrorsTitle')}</h3>
          <table className="responsive">
            <thead>
              <tr>
                <th scope="col">{t('adoption.importRow')}</th>
                <th scope="col">{t('adoption.importColumn')}</th>
                <th scope="col">{t('adoption.importMessage')}</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((error, index) => (
                <tr key={`${error.row}-${error.column ?? ''}-${index}`}>
                  <td data-label={t('adoption.importRow')}>{error.row}</td>
                  <td data-label={t('adoption.importColumn')}>{error.column ?? '—'}</td>
                  <td data-label={t('adoption.importMessage')}>{error.message[locale]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <div className="form-actions">
        <button
          type="button"
          className="button primary"
          disabled={!csv || !check || errors.length > 0 || check.adopted === 0 || upload.isPending}
          onClick={() =>
            csv &&
            upload.mutate(
              { text: csv, dryRun: false },
              {
                onSuccess: (result) => {
                  setNotice(t('adoption.importDone', { adopted: number(result.adopted, 0) }));
                  setCheck(null);
                  setCsv(null);
                  onImported();
                },
              },
            )
          }
        >
          {t('adoption.importSubmit')}
        </button>
      </div>
    </section>
  );
}
