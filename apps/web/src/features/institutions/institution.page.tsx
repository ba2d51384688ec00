import { Role } from '@betang/core';
import { useState } from 'react';
import { getInstitution } from '../../api/institutions.api';
import { useResource } from '../../api/use-resource';
import { useI18n } from '../../i18n/i18n-context';
import type { PathParams } from '../../router/match-path';
import { Link } from '../../router/router';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { UsersManager } from '../users/users-manager';
import { QuotaForm } from './quota-form';
import { QuotaPanel } from './quota-panel';

/** One institution for operators: its quota, and (admins) its users. */
export function InstitutionPage({ params }: { params: PathParams }) {
  const { t } = useI18n();
  const me = useMe();
  const id = params.id ?? '';
  const [quotaVersion, setQuotaVersion] = useState(0);
  const mayEditQuota = holdsAny(me.roles, [Role.Admin, Role.Operator]);
  const institution = useResource((api) => getInstitution(api, id), [id]);
  return (
    <Page title={institution.data?.name ?? t('institutions.detailTitle')}>
      <p>
        <Link to="/institutions">{t('institutions.back')}</Link>
      </p>
      {institution.loading && !institution.data ? <Loading /> : null}
      <ErrorAlert error={institution.error} />
      {institution.data ? (
        <>
          <p className="muted">
            <code>{institution.data.code}</code> {institution.data.address ?? ''}
          </p>
          <QuotaPanel key={quotaVersion} institutionId={institution.data.id} />
          {mayEditQuota ? <QuotaForm institutionId={institution.data.id} onSaved={() => setQuotaVersion((v) => v + 1)} /> : null}
          {holdsAny(me.roles, [Role.Admin]) ? <UsersManager scope={{ institutionId: institution.data.id }} /> : null}
        </>
      ) : null}
    </Page>
  );
}
