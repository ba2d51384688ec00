import type { Migration } from 'kysely';
import * as initialSchema from './20261127T2100_initial_schema';
import * as agreementDocuments from './20261127T2130_agreement_documents';
import * as provisioningWorker from './20261127T2200_provisioning_worker';
import * as requestEvents from './20261127T2300_request_events';
import * as clusterSnapshot from './20261127T2330_cluster_snapshot';
import * as authSecurity from './20261128T0010_auth_security';
import * as signInThrottleTotp from './20261207T0100_sign_in_throttle_totp';
import * as agreementExternalTrust from './20261207T0110_agreement_external_trust';
import * as resizeApproval from './20261207T0120_resize_approval';
import * as abandonedLockFinding from './20261207T0130_abandoned_lock_finding';
import * as storageLayoutsVmSafety from './20261207T0210_storage_layouts_vm_safety';
import * as clusterSelfCheck from './20261207T0220_cluster_self_check';
import * as safeDecommission from './20261207T0310_safe_decommission';
import * as passwordReset from './20261207T0320_password_reset';
import * as consoleSessions from './20261207T1400_console_sessions';
import * as sshKeysRun from './20261207T1410_ssh_keys_run';
import * as oidcSignIn from './20261207T1420_oidc_sign_in';
import * as sessionAuthMethod from './20261207T1421_session_auth_method';
import * as notifications from './20261207T1430_notifications';
import * as vmSnapshots from './20261207T1450_vm_snapshots';
import * as vmBackups from './20261207T1510_vm_backups';
import * as consolePasswordRun from './20261207T1600_console_password_run';
import * as estateAdoption from './20261208T0800_estate_adoption';
import * as findIndexes from './20261208T0500_find_indexes';
import * as leases from './20261208T0300_leases';
import * as publicEndpoints from './20261208T0700_public_endpoints';
import * as restoreRun from './20261208T0200_restore_run';
import * as restoreTests from './20261208T0400_restore_tests';
import * as ssoReauth from './20261208T0100_sso_reauth';
import * as vmPic from './20261208T0900_vm_pic';
import * as ipAllocationPrimary from './20261209T0100_ip_allocation_primary';
import * as requestViewChanges from './20261209T0600_request_view_changes';
import * as placementHolds from './20261209T0500_placement_holds';
import * as cloneLeases from './20261209T0700_clone_leases';
import * as parkedRuns from './20261209T0400_parked_runs';
import * as restoreIntoNewVm from './20261209T0200_restore_into_new_vm';
import * as backupDowntime from './20261209T0300_backup_downtime';

/**
 * Every migration, by timestamp name. Listed explicitly (no directory scan) so the same set
 * runs under node, tsx and jest; names sort chronologically.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '20261127T2100_initial_schema': initialSchema,
  '20261127T2130_agreement_documents': agreementDocuments,
  '20261127T2200_provisioning_worker': provisioningWorker,
  '20261127T2300_request_events': requestEvents,
  '20261127T2330_cluster_snapshot': clusterSnapshot,
  '20261128T0010_auth_security': authSecurity,
  '20261207T0100_sign_in_throttle_totp': signInThrottleTotp,
  '20261207T0110_agreement_external_trust': agreementExternalTrust,
  '20261207T0120_resize_approval': resizeApproval,
  '20261207T0130_abandoned_lock_finding': abandonedLockFinding,
  '20261207T0210_storage_layouts_vm_safety': storageLayoutsVmSafety,
  '20261207T0220_cluster_self_check': clusterSelfCheck,
  '20261207T0310_safe_decommission': safeDecommission,
  '20261207T0320_password_reset': passwordReset,
  '20261207T1400_console_sessions': consoleSessions,
  '20261207T1410_ssh_keys_run': sshKeysRun,
  '20261207T1420_oidc_sign_in': oidcSignIn,
  '20261207T1421_session_auth_method': sessionAuthMethod,
  '20261207T1430_notifications': notifications,
  '20261207T1450_vm_snapshots': vmSnapshots,
  '20261207T1510_vm_backups': vmBackups,
  '20261207T1600_console_password_run': consolePasswordRun,
  '20261208T0100_sso_reauth': ssoReauth,
  '20261208T0200_restore_run': restoreRun,
  '20261208T0300_leases': leases,
  '20261208T0400_restore_tests': restoreTests,
  '20261208T0500_find_indexes': findIndexes,
  '20261208T0700_public_endpoints': publicEndpoints,
  '20261208T0800_estate_adoption': estateAdoption,
  '20261208T0900_vm_pic': vmPic,
  '20261209T0100_ip_allocation_primary': ipAllocationPrimary,
  '20261209T0600_request_view_changes': requestViewChanges,
  '20261209T0500_placement_holds': placementHolds,
  '20261209T0700_clone_leases': cloneLeases,
  '20261209T0400_parked_runs': parkedRuns,
  '20261209T0200_restore_into_new_vm': restoreIntoNewVm,
  '20261209T0300_backup_downtime': backupDowntime,
};
