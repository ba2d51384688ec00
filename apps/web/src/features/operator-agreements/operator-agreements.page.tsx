import { Role } from '@betang/core';
import { useState } from 'react';
import { listAgreements } from '../../api/agreements.api';
import { listInstitutions } from '../../api/institutions.api';
import { useResource } from '../../api/use-resource';
import { useI18n } from '../../i18n/i18n-context';
import { Link } from '../../router/router';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { StatusBadge } from '../../ui/status-badge';
import { TableWrap } from '../../ui/table-wrap';
import { AGREEMENT_STATUS } from './agreement-status';
import { CreateAgreementForm } from './create-agreement-form';
import '../operator-queue/console.css';

/** Every agreement with status and days left; admins and operators generate new ones. Reading and signing: /agreements/:id. */
export function OperatorAgreementsPage() {
  const { t, date } = useI18n();
  const mayCreate = holdsAny(useMe().roles, [Role.Admin, Role.Operator]);
  const agreements = useResource((api) => listAgreements(api), []);
  const institutions = useResource((api) => listInstitutions(api), []);
  const [notice, setNotice] = useState<string | null>(null);
  const items = agreements.data?.items ?? [];
  const daysLeft = (days: number, status: string) => (status === 'expired' || status === 'revoked' ? '—' : days < 0 ? t('opAgreements.ended') : t('opAgreements.daysLeft', { days }));
  return (
    <Page title={t('opAgreements.title')}>
      <p className="muted">{t('opAgreements.intro')}</p>
      <LiveRegion kind="success">{notice}</LiveRegion>
      <section className="card" aria-labelledby="agreements-title">
        <h2 id="agreements-title">{t('opAgreements.listTitle')}</h2>
        <ErrorAlert error={agreements.error} />
        {agreements.loading && !agreements.data ? <Loading /> : null}
        {agreements.data && items.length === 0 ? <p>{t('opAgreements.empty')}</p> : null}
        {items.length > 0 ? (
          <TableWrap labelledBy="agreements-title">
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">{t('opAgreements.number')}</th>
                  <th scope="col">{t('opAgreements.institution')}</th>
                  <th scope="col">{t('opAgreements.statusLabel')}</th>
                  <th scope="col">{t('opAgreements.term')}</th>
                  <th scope="col">{t('opAgreements.remaining')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((a) => (
                  <tr key={a.id}>
                    <td data-label={t('opAgreements.number')}>
                      <Link to={`/agreements/${a.id}`}>{a.number}</Link>
                    </td>
                    <td data-label={t('opAgreements.institution')}>{a.institutionName}</td>
                    <td data-label={t('opAgreements.statusLabel')}>
                      <StatusBadge tone={AGREEMENT_STATUS[a.status].tone}>{t(AGREEMENT_STATUS[a.status].label)}</StatusBadge>
                    </td>
                    <td data-label={t('opAgreements.term')}>{`${date(a.termStart)} – ${date(a.termEnd)}`}</td>
                    <td data-label={t('opAgreements.remaining')} className={a.daysLeft >= 0 && a.daysLeft <= 30 && a.status === 'in_force' ? 'age-overdue' : undefined}>
                      {daysLeft(a.daysLeft, a.status)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
        <p className="muted small">{t('opAgreements.signHint')}</p>
      </section>
      {mayCreate ? (
        <CreateAgreementForm
          institutions={institutions.data?.items ?? []}
          onCreated={(agreement) => {
            setNotice(t('opAgreements.created', { number: agreement.number, institution: agreement.institutionName }));
            agreements.reload();
          }}
        />
      ) : null}
    </Page>
  );
}
