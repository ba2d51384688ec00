import { Role, type MeResponse } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { agreementListQuery, requestListQuery, vmListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { ErrorAlert, Loading } from '../../ui/alert';
import { ProgressBar } from '../../ui/progress-bar';
import { StatusBadge } from '../../ui/status-badge';
import { AGREEMENT_STATUS } from '../agreements/agreement-labels';
import { IN_FLIGHT, REQUEST_STATUS } from '../requests/request-labels';
import { useVmState } from '../vms/vms.page';

/** VM count and how many are in each state. */
export function VmsPanel() {
  const { t, number } = useI18n();
  const vms = useQuery(vmListQuery(useApi()));
  const stateOf = useVmState();
  const counts = new Map<string, number>();
  for (const vm of vms.data?.items ?? []) counts.set(vm.state, (counts.get(vm.state) ?? 0) + 1);
  return (
    <section className="card" aria-labelledby="vms-panel-title">
      <h2 id="vms-panel-title">{t('portal.vmsTitle')}</h2>
      {vms.isFetching && !vms.data ? <Loading /> : null}
      <ErrorAlert error={vms.error} />
      {vms.data ? (
        <>
          <div className="stat-row">
            <p className="stat">
              <span className="stat-value">{number(vms.data.items.length, 0)}</span>
              <span className="muted">{t('portal.vmsCount')}</span>
            </p>
          </div>
          <ul className="step-list">
            {[...counts].map(([state, count]) => (
              <li key={state}>
                <StatusBadge tone={stateOf(state).tone}>{stateOf(state).text}</StatusBadge> {number(count, 0)}
              </li>
            ))}
          </ul>
          {vms.data.items.length === 0 ? <p>{t('vms.empty')}</p> : null}
          <Link to="/vms">{t('portal.vmsLink')}</Link>
        </>
      ) : null}
    </section>
  );
}

/** The newest agreement: status, days left, and a link to sign when it waits for this user. */
export function AgreementPanel({ me, status }: { me: MeResponse; status?: 'awaiting_dc_head' }) {
  const { t, number } = useI18n();
  const agreements = useQuery(agreementListQuery(useApi(), status));
  const newest = agreements.data?.items[0];
  const awaitsMe =
    newest &&
    ((newest.status === 'awaiting_institution_head' &&
      me.roles.includes(Role.InstitutionHead) &&
      me.institution?.id === newest.institutionId) ||
      (newest.status === 'awaiting_dc_head' && me.roles.includes(Role.DcHead)));
  return (
    <section className="card" aria-labelledby="agreement-panel-title">
      <h2 id="agreement-panel-title">{t('portal.agreementTitle')}</h2>
      {agreements.isFetching && !agreements.data ? <Loading /> : null}
      <ErrorAlert error={agreements.error} />
      {agreements.data && !newest ? <p>{status ? t('portal.agreementNoneToSign') : t('portal.agreementNone')}</p> : null}
      {newest ? (
        <>
          <p>
            <StatusBadge tone={AGREEMENT_STATUS[newest.status].tone}>{t(AGREEMENT_STATUS[newest.status].key)}</StatusBadge> {newest.number}
          </p>
          <p>{newest.daysLeft >= 0 ? t('agreements.daysLeft', { days: number(newest.daysLeft, 0) }) : t('agreements.ended')}</p>
          {awaitsMe ? (
            <Link className="button primary" to={`/agreements/${newest.id}`}>
              {t('portal.agreementSign')}
            </Link>
          ) : (
            <Link to={`/agreements/${newest.id}`}>{t('portal.agreementOpen')}</Link>
          )}
        </>
      ) : null}
    </section>
  );
}

/** Requests still on their way (submitted → provisioning) with their progress. */
export function InFlightPanel() {
  const { t } = useI18n();
  const requests = useQuery(requestListQuery(useApi()));
  const inFlight = (requests.data?.items ?? []).filter((r) => IN_FLIGHT.includes(r.status));
  return (
    <section className="card" aria-labelledby="inflight-panel-title">
      <h2 id="inflight-panel-title">{t('portal.inFlightTitle')}</h2>
      {requests.isFetching && !requests.data ? <Loading /> : null}
      <ErrorAlert error={requests.error} />
      {requests.data && inFlight.length === 0 ? <p>{t('portal.inFlightNone')}</p> : null}
      <ul className="step-list">
        {inFlight.map((r) => (
          <li key={r.id} className="block">
            <Link to={`/vps-requests/${r.id}`}>{r.hostname}</Link>{' '}
            <StatusBadge tone={REQUEST_STATUS[r.status].tone}>{t(REQUEST_STATUS[r.status].key)}</StatusBadge>
            {r.run && r.status === 'provisioning' ? (
              <ProgressBar label={t('portal.progressOf', { hostname: r.hostname })} value={r.run.progress} />
            ) : null}
          </li>
        ))}
      </ul>
      <Link to="/vps-requests/new">{t('requests.new')}</Link>
    </section>
  );
}
