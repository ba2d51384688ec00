import { DATA_CENTER_ROLES, INSTITUTION_ROLES } from '@betang/core';
import { useEffect, useState } from 'react';
import { useApi } from '../../api/api-context';
import { cancelRequest } from '../../api/vps-requests.api';
import { useMutation, useQuery } from '@tanstack/react-query';
import { requestQuery, serviceStandardsQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { useParams } from 'react-router';
import { Link } from '../../ui/link';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, Loading } from '../../ui/alert';
import { ConfirmPanel } from '../../ui/confirm-panel';
import { Page } from '../../ui/page';
import { CANCELLABLE } from './request-labels';
import { CONNECTABLE, ConnectPanel } from './connect-panel';
import { ReviewChecks } from '../operator-queue/review-checks';
import { RequestFactsList } from './request-facts-list';
import { RequestTimeline } from './request-timeline';
import { ServiceClock } from './service-clock-view';
import { QueuePosition } from './queue-position';
import { fromSnapshot } from './live-request';
import { useLiveRequest } from './use-live-request';
import { RetryFailedRun } from '../adoption/retry-failed-run';

/** One request with its live timeline (SSE), time against the service standard, and how to connect once active. */
export function RequestPage() {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const id = useParams().id ?? '';
  // A plain GET too: it paints before the stream's snapshot and turns a 404 into a message (an
  // EventSource cannot tell a refused stream from a dropped one); no stream for a request that failed.
  const first = useQuery(requestQuery(api, id));
  const { live: streamed, stream, replace } = useLiveRequest(id, first.error === null);
  const live = streamed ?? (first.data ? fromSnapshot(first.data) : null);
  const standards = useQuery(serviceStandardsQuery(api));
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation({
    mutationFn: () => cancelRequest(api, id),
    onSuccess: (updated) => {
      replace(updated);
      setConfirming(false);
    },
  });
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  if (!live) {
    return (
      <Page title={t('requests.detailTitle')}>
        {first.isFetching ? <Loading /> : null}
        <ErrorAlert error={first.error} />
      </Page>
    );
  }
  const { request, runs } = live;
  const address = request.vm?.ipAddress ?? request.ipAddress;
  const mayCancel = CANCELLABLE.includes(request.status) && holdsAny(me.roles, INSTITUTION_ROLES);

  return (
    <Page title={t('requests.detailTitleHost', { hostname: request.hostname })}>
      <p>
        <Link to="/vps-requests">{t('requests.back')}</Link>
      </p>
      <p className="muted small" role="status">
        {stream === 'live' ? t('requests.streamLive') : t('requests.streamTrouble')}
      </p>
      <section className="card" aria-labelledby="request-facts-title">
        <h2 id="request-facts-title">{t('requests.factsTitle')}</h2>
        <RequestFactsList request={request} />
        <ErrorAlert error={cancel.error} />
        {mayCancel && !confirming ? (
          <button type="button" className="button" onClick={() => setConfirming(true)}>
            {t('requests.cancel')}
          </button>
        ) : null}
        {mayCancel && confirming ? (
          <ConfirmPanel
            title={t('requests.cancelTitle')}
            confirmLabel={t('requests.cancelConfirm')}
            cancelLabel={t('requests.cancelKeep')}
            danger
            busy={cancel.isPending}
            onConfirm={() => cancel.mutate()}
            onCancel={() => setConfirming(false)}
          >
            <p>{t('requests.cancelBody')}</p>
          </ConfirmPanel>
        ) : null}
        <RetryFailedRun request={request} runs={runs} onRetried={replace} />
      </section>
      {CONNECTABLE.includes(request.status) && address ? <ConnectPanel request={request} address={address} /> : null}
      {(request.status === 'submitted' || request.status === 'partially_approved') && holdsAny(me.roles, DATA_CENTER_ROLES) ? (
        <ReviewChecks requestId={request.id} level={2} />
      ) : null}
      <section className="card" aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t('requests.timelineTitle')}</h2>
        {request.status === 'submitted' || request.status === 'partially_approved' ? (
          <QueuePosition requestId={request.id} now={now} />
        ) : null}
        {standards.data ? <ServiceClock request={request} runs={runs} standards={standards.data} now={now} /> : null}
        <RequestTimeline request={request} runs={runs} />
      </section>
    </Page>
  );
}
