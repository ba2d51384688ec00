import { Role } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { retryRequest, type FailedItem } from '../../api/operator-queue.api';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert } from '../../ui/alert';
import { StatusBadge } from '../../ui/status-badge';
import { useDuration } from '../operator-queue/duration';
import { pickLanguage } from './bilingual-text';

/** Failed runs with the worker's reason (in the UI language) and Retry (POST /vps-requests/:id/retry). */
export function FailedRuns({ runs, onRetried }: { runs: readonly FailedItem[]; onRetried(hostname: string): void }) {
  const { t, locale } = useI18n();
  const api = useApi();
  const duration = useDuration();
  const mayRetry = holdsAny(useMe().roles, [Role.Admin, Role.Operator]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);

  async function retry(run: FailedItem) {
    setBusy(run.requestId);
    setError(undefined);
    try {
      await retryRequest(api, run.requestId);
      onRetried(run.hostname);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <ErrorAlert error={error} />
      {runs.map((run) => (
        <article key={run.runId} className="run-card failed-card" aria-labelledby={`failed-${run.runId}`}>
          <p id={`failed-${run.runId}`}>
            <Link to={`/vps-requests/${run.requestId}`}>
              <strong>{run.hostname}</strong>
            </Link>{' '}
            <span className="muted small">{run.institutionName}</span>
          </p>
          <p>
            <StatusBadge tone="bad">{t('opBoard.failed')}</StatusBadge> {run.errorCode ? <code>{run.errorCode}</code> : null}{' '}
            {run.retryable === false ? <span className="small">{t('opBoard.permanent')}</span> : null}
          </p>
          <p className="error-text" data-testid="run-error">
            {run.errorMessage ? pickLanguage(run.errorMessage, locale) : t('opBoard.noReason')}
          </p>
          <p className="small">{t('opBoard.failedAgo', { age: duration(run.ageMinutes) })}</p>
          {mayRetry ? (
            <button type="button" className="button primary small" disabled={busy !== null} onClick={() => retry(run)}>
              {t('opBoard.retry', { hostname: run.hostname })}
            </button>
          ) : null}
        </article>
      ))}
    </>
  );
}
