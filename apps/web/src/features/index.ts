import { accountFeature } from './account';
import { adoptionFeature } from './adoption';
import { agreementsFeature } from './agreements';
import { applicationsFeature } from './applications';
import { auditFeature } from './audit';
import { dashboardFeature } from './dashboard';
import type { Feature } from './feature';
import { catalogFeature } from './catalog';
import { clusterFeature } from './cluster';
import { ipPoolsFeature } from './ip-pools';
import { notificationsFeature } from './notifications';
import { operatorAgreementsFeature } from './operator-agreements';
import { operatorQueueFeature } from './operator-queue';
import { picFeature } from './pic';
import { passwordFeature } from './password';
import { provisioningBoardFeature } from './provisioning-board';
import { reconciliationFeature } from './reconciliation';
import { restoreTestsFeature } from './restore-tests';
import { settingsFeature } from './settings';
import { ssoFeature } from './sso';
import { institutionsFeature } from './institutions';
import { requestsFeature } from './requests';
import { usersFeature } from './users';
import { verifyFeature } from './verify';
import { vmsFeature } from './vms';
import { consoleFeature } from './console';
import { findFeature } from './find';

/**
 * Every feature of the app, explicitly listed (like the worker's job registry): a new screen
 * area is a folder under features/ exporting a Feature, plus one line here.
 */
export const FEATURES: readonly Feature[] = [
  dashboardFeature,
  institutionsFeature,
  usersFeature,
  auditFeature,
  accountFeature,
  passwordFeature,
  ssoFeature,
  notificationsFeature,
  // institution portal
  requestsFeature,
  vmsFeature,
  consoleFeature,
  applicationsFeature,
  agreementsFeature,
  verifyFeature,
  // operator console
  operatorQueueFeature,
  findFeature,
  provisioningBoardFeature,
  clusterFeature,
  reconciliationFeature,
  restoreTestsFeature,
  adoptionFeature,
  ipPoolsFeature,
  catalogFeature,
  operatorAgreementsFeature,
  picFeature,
  settingsFeature,
];
