import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { operatorQueueQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { Link } from '../../ui/link';
import { Page } from '../../ui/page';
import { FailedRuns } from './failed-runs';
import { RunningLanes } from './running-lanes';
import '../operator-queue/console.css';

/** How often the board asks again (the run rows change as the worker writes them). */
const REFRESH_MS = 5_000;

/** The provisioning board (`?lane=failed|running`: one part only): running runs by step with progress, failed runs with their reason and Retry. Refreshes itself. */
export function ProvisioningBoardPage() {
  const { t, dateTime } = useI18n();
  const api = useApi();
  const queue = useQuery({ ...operatorQueueQuery(api), refetchInterval: REFRESH_MS });
  // Query polls only while the tab is visible; the time shown is that of the last answer.
  const [openedAt] = useState(() => Date.now());
  const refreshedAt = new Date(queue.dataUpdatedAt || openedAt);
  const [notice, setNotice] = useState<string | null>(null);
  const data = queue.data;
  // ?lane=failed|running (the dashboard's links): only that part of the board.
  const laneParam = useSearchParams()[0].get('lane');
  const lane = laneParam === 'failed' || laneParam === 'running' ? laneParam : null;
  return (
    <Page title={t('opBoard.title')}>
      <p className="muted">
        {t('opBoard.intro', { seconds: REFRESH_MS / 1000 })} {t('opBoard.refreshedAt', { at: dateTime(refreshedAt.toISOString()) })}
      </p>
      <LiveRegion kind="success">{notice}</LiveRegion>
      <ErrorAlert error={queue.error} />
      {queue.isFetching && !data ? <Loading /> : null}
      {data ? (
        <>
          {lane ? (
            <p className="muted">
              {t('cockpit.filterLane')} <Link to="/operator/provisioning">{t('cockpit.filterClear')}</Link>
            </p>
          ) : null}
          {lane !== 'running' ? (
            <section className="card" aria-labelledby="failed-title">
              <h2 id="failed-title">{t('opBoard.failedTitle', { count: data.failed.length })}</h2>
              {data.failed.length === 0 ? <p>{t('opBoard.noFailed')}</p> : null}
              <FailedRuns
                runs={data.failed}
                onRetried={(hostname) => {
                  setNotice(t('opBoard.retried', { hostname }));
                  void queue.refetch();
                }}
              />
            </section>
          ) : null}
          {lane !== 'failed' ? (
            <section className="card" aria-labelledby="running-title">
              <h2 id="running-title">{t('opBoard.runningTitle', { count: data.running.length })}</h2>
              <p className="muted small">{t('opBoard.standard', { minutes: data.serviceStandards.provisioningMinutes })}</p>
              {data.running.length === 0 ? <p>{t('opBoard.noRunning')}</p> : <RunningLanes runs={data.running} />}
            </section>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
