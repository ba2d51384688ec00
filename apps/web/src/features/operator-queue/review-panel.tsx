import { Role, type VpsRequestDto } from '@betang/core';
import { useEffect, useRef, type ComponentProps } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { applicationQuery, requestQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, Loading } from '../../ui/alert';
import { ChangeSummary } from './change-summary';
import { DecisionForms } from './decision-forms';
import { ReviewChecks } from './review-checks';
import { useRequestFacts } from './request-facts';

type Props = {
  requestId: string;
  institutionName: string;
  /** A pending change of the request's VM: what is decided is this change. */ change?:
    ComponentProps<typeof ChangeSummary>['change'] | undefined;
  onClose(): void;
  onDecided(request: VpsRequestDto, decision: 'approved' | 'rejected'): void;
};

/**
 * The review drawer: GET /vps-requests/:id with its application, network, contact and earlier
 * decisions, the review checks (agreement, coverage, ceiling, quota, pool) and the decision forms. Its heading takes focus when it opens; Escape closes it.
 */
export function ReviewPanel({ requestId, institutionName, change, onClose, onDecided }: Props) {
  const { t, dateTime } = useI18n();
  const facts = useRequestFacts();
  const mayDecide = holdsAny(useMe().roles, [Role.Admin, Role.Operator, Role.DcHead]);
  const heading = useRef<HTMLHeadingElement>(null);
  const api = useApi();
  const request = useQuery(requestQuery(api, requestId));
  const applicationId = request.data?.applicationId;
  const application = useQuery({ ...applicationQuery(api, applicationId ?? ''), enabled: applicationId !== undefined });
  useEffect(() => heading.current?.focus(), [requestId]);
  const r = request.data;
  return (
    <aside className="card review-panel" aria-labelledby="review-title" onKeyDown={(event) => event.key === 'Escape' && onClose()}>
      <div className="panel-header">
        <h2 id="review-title" tabIndex={-1} ref={heading}>
          {t('opQueue.reviewTitle', { hostname: r?.hostname ?? '…' })}
        </h2>
        <button type="button" className="button small" onClick={onClose}>
          {t('opQueue.close')}
        </button>
      </div>
      {request.isFetching && !r ? <Loading /> : null}
      <ErrorAlert error={request.error} />
      {r ? (
        <>
          {change ? (
            <p>
              <strong>{t('opQueue.resizeChange')}</strong>
              <ChangeSummary change={change} />
            </p>
          ) : null}
          <dl className="facts">
            <dt>{t('opQueue.institution')}</dt>
            <dd>{institutionName}</dd>
            <dt>{t('opQueue.application')}</dt>
            <dd>{application.data?.name ?? (application.isFetching ? t('common.loading') : '—')}</dd>
            <dt>{t('opQueue.size')}</dt>
            <dd>
              {facts.size(r.resources)}
              {r.presetId ? ` (${r.presetId})` : ''}
            </dd>
            <dt>{t('opQueue.template')}</dt>
            <dd>{r.templateId}</dd>
            <dt>{t('opQueue.purpose')}</dt>
            <dd>{r.purpose}</dd>
            <dt>{t('opQueue.network')}</dt>
            <dd>
              {r.network.publicAccess ? t('opQueue.publicPorts', { ports: r.network.ports.join(', ') || '—' }) : t('opQueue.internalOnly')}
            </dd>
            <dt>{t('opQueue.contact')}</dt>
            <dd>{`${r.contact.name} · ${r.contact.phone} · ${r.contact.email}`}</dd>
            <dt>{t('opQueue.sshKeys')}</dt>
            <dd>{r.sshPublicKeys.length}</dd>
            <dt>{t('opQueue.submittedAt')}</dt>
            <dd>{dateTime(r.createdAt)}</dd>
            <dt>{t('opQueue.pendingLevel')}</dt>
            <dd>{facts.level(r.pendingLevel)}</dd>
          </dl>
          {r.approvals.length > 0 ? (
            <>
              <h3>{t('opQueue.decisions')}</h3>
              <ul className="results">
                {r.approvals.map((a) => (
                  <li key={`${a.level}-${a.at}`}>
                    {t(a.decision === 'approved' ? 'opQueue.decisionApproved' : 'opQueue.decisionRejected', {
                      level: a.level,
                      name: a.byName ?? '—',
                      at: dateTime(a.at),
                    })}
                    {a.comment ? <q>{a.comment}</q> : null}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <p>
            <Link to={`/vps-requests/${r.id}`}>{t('opQueue.openTimeline')}</Link>
          </p>
          {r.pendingLevel && !change ? <ReviewChecks requestId={r.id} /> : null}
          {r.pendingLevel && mayDecide ? (
            <DecisionForms key={r.id} request={r} onDecided={onDecided} />
          ) : r.pendingLevel ? null : (
            <p>{t('opQueue.notPending', { status: r.status })}</p>
          )}
        </>
      ) : null}
    </aside>
  );
}
