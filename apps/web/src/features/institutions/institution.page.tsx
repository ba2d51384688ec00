import { Role } from '@betang/core';
import { useState } from 'react';
import { useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { institutionQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { UsersManager } from '../users/users-manager';
import { QuotaForm } from './quota-form';
import { QuotaPanel } from './quota-panel';

/** One institution for operators: its quota, and (admins) its users. */
export function InstitutionPage() {
  const { t } = useI18n();
  const me = useMe();
  const id = useParams().id ?? '';
  const [quotaVersion, setQuotaVersion] = useState(0);
  const mayEditQuota = holdsAny(me.roles, [Role.Admin, Role.Operator]);
  const institution = useQuery(institutionQuery(useApi(), id));
  return (
    <Page title={institution.data?.name ?? t('institutions.detailTitle')}>
      <p>
        <Link to="/institutions">{t('institutions.back')}</Link>
      </p>
      {institution.isFetching && !institution.data ? <Loading /> : null}
      <ErrorAlert error={institution.error} />
      {institution.data ? (
        <>
          <p className="muted">
            <code>{institution.data.code}</code> {institution.data.address ?? ''}
          </p>
          {mayEditQuota ? (
            <p>
              <Link to={`/pic/${institution.data.id}`}>{t('pic.institutionLink')}</Link>
            </p>
          ) : null}
          <QuotaPanel key={quotaVersion} institutionId={institution.data.id} />
          {mayEditQuota ? <QuotaForm institutionId={institution.data.id} onSaved={() => setQuotaVersion((v) => v + 1)} /> : null}
          {holdsAny(me.roles, [Role.Admin]) ? <UsersManager scope={{ institutionId: institution.data.id }} /> : null}
        </>
      ) : null}
    </Page>
  );
}
