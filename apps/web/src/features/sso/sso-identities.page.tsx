import { DATA_CENTER_ROLES, INSTITUTION_ROLES, type OidcIdentityDto, type Role } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { institutionListQuery } from '../../api/queries';
import { queryKeys } from '../../api/query-keys';
import { assignIdentity, getSsoStatus, listPendingIdentities } from '../../api/sso.api';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert } from '../../ui/alert';
import { DataTable } from '../../ui/data-table';
import { ListSection } from '../../ui/list-section';
import { Page } from '../../ui/page';
import { SelectField } from '../../ui/select-field';
import { roleKey } from '../users/user-roles';

/** The value of the institution choice that means "data-center staff" (no institution). */
const DATA_CENTER = 'data-center';

/** Gives one waiting person an institution (or the data center) and a role. */
function AssignForm({ identity, onDone }: { identity: OidcIdentityDto; onDone(message: string): void }) {
  const { t } = useI18n();
  const api = useApi();
  const institutions = useQuery(institutionListQuery(api));
  const [institution, setInstitution] = useState('');
  const [role, setRole] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const roles = institution === DATA_CENTER ? DATA_CENTER_ROLES : INSTITUTION_ROLES;
  const who = identity.name ?? identity.email ?? identity.subject;

  return (
    <form
      className="form-grid"
      aria-label={t('sso.assignLabel', { name: who })}
      onSubmit={async (event) => {
        event.preventDefault();
        if (!institution || !role) return setError(new Error(t('sso.assignChoose')));
        setBusy(true);
        setError(null);
        try {
          await assignIdentity(api, identity.id, {
            institutionId: institution === DATA_CENTER ? null : institution,
            roles: [role as Role],
          });
          onDone(t('sso.assigned', { name: who }));
        } catch (failure) {
          setError(failure);
        } finally {
          setBusy(false);
        }
      }}
    >
      {error ? <ErrorAlert error={error} /> : null}
      <SelectField
        label={t('sso.institution')}
        value={institution}
        onValue={(value) => {
          setInstitution(value);
          setRole('');
        }}
        placeholder={t('sso.pickInstitution')}
        options={[
          { value: DATA_CENTER, label: t('sso.dataCenter') },
          ...(institutions.data?.items ?? []).map((item) => ({ value: item.id, label: item.name })),
        ]}
        required
      />
      <SelectField
        label={t('sso.role')}
        value={role}
        onValue={setRole}
        placeholder={t('sso.pickRole')}
        options={roles.map((value) => ({ value, label: t(roleKey(value)) }))}
        required
      />
      <button type="submit" className="button primary small" disabled={busy}>
        {t('sso.assignSubmit')}
      </button>
    </form>
  );
}

/** Admin: people who signed in through the identity provider and wait for an institution and a role. */
export function SsoIdentitiesPage() {
  const { t, date } = useI18n();
  const api = useApi();
  const pending = useQuery({ queryKey: queryKeys.ssoPending, queryFn: () => listPendingIdentities(api) });
  const [notice, setNotice] = useState<string | null>(null);
  const status = useQuery({ queryKey: queryKeys.ssoStatus, queryFn: () => getSsoStatus(api), staleTime: Infinity });

  return (
    <Page title={t('sso.title')}>
      <p className="muted">{t('sso.intro')}</p>
      {status.data && !status.data.enabled ? <p className="hint">{t('sso.off')}</p> : null}
      <ListSection
        headingId="sso-pending-title"
        title={t('sso.listTitle')}
        notice={notice}
        loading={pending.isFetching && !pending.data}
        error={pending.error}
      >
        <DataTable
          rows={pending.data?.items}
          empty={t('sso.empty')}
          columns={[
            { label: t('sso.name'), cell: (row) => row.name ?? '—' },
            {
              label: t('sso.email'),
              cell: (row) => (row.email ? `${row.email} (${row.emailVerified ? t('sso.verified') : t('sso.unverified')})` : '—'),
            },
            { label: t('sso.nip'), cell: (row) => row.nip ?? '—' },
            { label: t('sso.firstSeen'), cell: (row) => date(row.firstSeenAt) },
            {
              label: t('sso.access'),
              cell: (row) => (
                <AssignForm
                  identity={row}
                  onDone={(message) => {
                    setNotice(message);
                    void pending.refetch();
                  }}
                />
              ),
            },
          ]}
        />
      </ListSection>
    </Page>
  );
}
