import { Role } from '@betang/core';
import type { ApiClient } from '../../api/http-client';
import { getApprovalPolicy, getBackupPolicy, getCustomSizeBounds, getServiceStandardsSetting } from '../../api/settings.api';
import { getSnapshotPolicy } from '../../api/snapshots.api';
import { BackupPolicyForm } from '../backups/backup-policy-form';
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../api/query-keys';
import { useApi } from '../../api/api-context';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { ApprovalPolicyForm } from './approval-policy-form';
import { ServiceStandardsForm } from './service-standards-form';
import { SizeBoundsForm } from './size-bounds-form';
import { SnapshotPolicyForm } from './snapshot-policy-form';
import { LeasePolicySettings } from '../leases/lease-policy-form';
import '../operator-queue/console.css';

const loadSettings = async (api: ApiClient) => {
  const [policy, standards, bounds, snapshots, backups] = await Promise.all([
    getApprovalPolicy(api),
    getServiceStandardsSetting(api),
    getCustomSizeBounds(api),
    getSnapshotPolicy(api),
    getBackupPolicy(api),
  ]);
  return { policy, standards, bounds, snapshots, backups };
};

/**
 * Request settings: approval policy, service standards, custom size bounds and the snapshot
 * limits (read-only for dc_head and auditors). The approval policy and the snapshot limits only
 * admins change (the API refuses others).
 */
export function SettingsPage() {
  const { t } = useI18n();
  const roles = useMe().roles;
  const readOnly = !holdsAny(roles, [Role.Admin, Role.Operator]);
  const policyReadOnly = !holdsAny(roles, [Role.Admin]);
  const api = useApi();
  const settings = useQuery({ queryKey: queryKeys.settings, queryFn: () => loadSettings(api) });
  return (
    <Page title={t('opSettings.title')}>
      <p className="muted">{readOnly ? t('opSettings.readOnly') : t('opSettings.intro')}</p>
      <ErrorAlert error={settings.error} />
      {settings.isFetching && !settings.data ? <Loading /> : null}
      {settings.data ? (
        <>
          <ServiceStandardsForm initial={settings.data.standards} readOnly={readOnly} />
          <ApprovalPolicyForm initial={settings.data.policy} readOnly={policyReadOnly} />
          <SizeBoundsForm initial={settings.data.bounds} readOnly={readOnly} />
          <SnapshotPolicyForm initial={settings.data.snapshots} readOnly={policyReadOnly} />
          <BackupPolicyForm initial={settings.data.backups} readOnly={policyReadOnly} />
          <LeasePolicySettings readOnly={policyReadOnly} />
        </>
      ) : null}
    </Page>
  );
}
