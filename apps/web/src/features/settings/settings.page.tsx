import { Role } from '@betang/core';
import type { ApiClient } from '../../api/http-client';
import { getApprovalPolicy, getBackupPolicy, getCustomSizeBounds, getServiceStandardsSetting } from '../../api/settings.api';
import { getSnapshotPolicy } from '../../api/snapshots.api';
import { getRestoreTestPolicy } from '../../api/restore-tests.api';
import { RestoreTestPolicyForm } from '../restore-tests/restore-test-policy-form';
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
  const [policy, standards, bounds, snapshots, backups, restoreTests] = await Promise.all([
    getApprovalPolicy(api),
    getServiceStandardsSetting(api),
    getCustomSizeBounds(api),
    getSnapshotPolicy(api),
    getBackupPolicy(api),
    getRestoreTestPolicy(api),
  ]);
  return { policy, standards, bounds, snapshots, backups, restoreTests };
};

/**
 * Request settings: approval policy, service standards, custom size bounds, the snapshot
 * limits, the backup and test-restore policies (read-only for dc_head and auditors). The
 * approval, snapshot, backup and test-restore policies only admins change (the API refuses others).
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
          <RestoreTestPolicyForm initial={settings.data.restoreTests} readOnly={policyReadOnly} />
          <LeasePolicySettings readOnly={policyReadOnly} />
        </>
      ) : null}
    </Page>
  );
}
