import { Role, type AgreementDto } from '@betang/core';
import { useMutation } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { draftRenewal } from '../../api/leases.api';
import { useI18n } from '../../i18n/use-i18n';
import { useMe, holdsAny } from '../../session/session-context';
import { ErrorAlert, LiveRegion } from '../../ui/alert';
import { Link } from '../../ui/link';

/** The day after `date` (YYYY-MM-DD): where a renewal's term starts. */
function dayAfter(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * Operators' "Draft renewal" on an agreement in force or ended: the next agreement with the same
 * terms, from the day after this one ends, then signed by both heads as usual. The anchor
 * `#renewal` is where the expiry reminders send operators.
 */
export function RenewalCard({ agreement }: { agreement: AgreementDto }) {
  const { t, date } = useI18n();
  const api = useApi();
  const me = useMe();
  const draft = useMutation({ mutationFn: () => draftRenewal(api, agreement.id) });
  if (!holdsAny(me.roles, [Role.Admin, Role.Operator])) return null;
  if (agreement.status !== 'in_force' && agreement.status !== 'expired') return null;
  return (
    <section className="card" id="renewal" aria-labelledby="renewal-title">
      <h2 id="renewal-title">{t('leases.renewTitle')}</h2>
      <p>{t('leases.renewIntro', { start: date(dayAfter(agreement.termEnd)) })}</p>
      <ErrorAlert error={draft.error} />
      <LiveRegion kind="success">
        {draft.data ? (
          <>
            {t('leases.renewed')} <Link to={`/agreements/${draft.data.id}`}>{t('leases.openRenewal')}</Link>
          </>
        ) : null}
      </LiveRegion>
      {draft.data ? null : (
        <div className="form-actions">
          <button type="button" className="button primary" disabled={draft.isPending} onClick={() => draft.mutate()}>
            {t('leases.renew')}
          </button>
        </div>
      )}
    </section>
  );
}
