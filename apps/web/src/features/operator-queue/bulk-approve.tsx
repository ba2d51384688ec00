import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { ApiError } from '../../api/api-error';
import { approveRequest } from '../../api/operator-queue.api';
import { useI18n } from '../../i18n/use-i18n';
import { LiveRegion, useErrorText } from '../../ui/alert';
import { StatusBadge } from '../../ui/status-badge';
import type { PendingRow } from './load-queue';

type Outcome = { id: string; hostname: string } & ({ kind: 'approved' | 'partial' } | { kind: 'forbidden' | 'failed'; message: string });

/**
 * Bulk approval: approves the selected requests one by one (each its own decision, as the API
 * wants) and lists what happened to each; a 403 (the level belongs to another role) is named as such.
 */
export function BulkApprove({ rows, onDone }: { rows: readonly PendingRow[]; onDone(): void }) {
  const { t } = useI18n();
  const api = useApi();
  const errorText = useErrorText();
  const [running, setRunning] = useState<{ done: number; total: number } | null>(null);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);

  async function run() {
    const results: Outcome[] = [];
    setOutcomes([]);
    for (const [index, row] of rows.entries()) {
      setRunning({ done: index, total: rows.length });
      try {
        const answer = await approveRequest(api, row.requestId);
        results.push({ id: row.requestId, hostname: row.hostname, kind: answer.pendingLevel ? 'partial' : 'approved' });
      } catch (error) {
        const forbidden = error instanceof ApiError && error.status === 403;
        results.push({ id: row.requestId, hostname: row.hostname, kind: forbidden ? 'forbidden' : 'failed', message: errorText(error) });
      }
      setOutcomes([...results]);
    }
    setRunning(null);
    onDone();
  }

  const approved = outcomes.filter((o) => o.kind === 'approved' || o.kind === 'partial').length;
  return (
    <div className="toolbar" role="group" aria-label={t('opQueue.bulkTitle')}>
      <button type="button" className="button primary" disabled={rows.length === 0 || running !== null} onClick={run}>
        {t('opQueue.bulkApprove', { count: rows.length })}
      </button>
      <LiveRegion kind="success">
        {running
          ? t('opQueue.bulkProgress', { done: running.done + 1, total: running.total })
          : outcomes.length > 0
            ? t('opQueue.bulkSummary', { approved, total: outcomes.length })
            : null}
      </LiveRegion>
      {outcomes.length > 0 ? (
        <ul className="results" aria-label={t('opQueue.bulkResults')}>
          {outcomes.map((o) => (
            <li key={o.id} className={o.kind === 'approved' || o.kind === 'partial' ? 'result-good' : 'result-bad'}>
              <strong>{o.hostname}</strong>
              {o.kind === 'approved' ? <StatusBadge tone="good">{t('opQueue.resultApproved')}</StatusBadge> : null}
              {o.kind === 'partial' ? <StatusBadge tone="busy">{t('opQueue.resultPartial')}</StatusBadge> : null}
              {o.kind === 'forbidden' ? <StatusBadge tone="bad">{t('opQueue.resultForbidden')}</StatusBadge> : null}
              {o.kind === 'failed' ? <StatusBadge tone="bad">{t('opQueue.resultFailed')}</StatusBadge> : null}
              {o.kind === 'forbidden' || o.kind === 'failed' ? <span>{o.message}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
