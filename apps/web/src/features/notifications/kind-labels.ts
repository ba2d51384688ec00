import type { NotificationKind } from '@betang/core';
import type { MessageKey } from '../../i18n/i18n';

/** The catalogue key naming each notification kind (preferences and webhook pages). */
export const KIND_LABEL: Record<NotificationKind, MessageKey> = {
  'agreement.sign_turn': 'notifications.kind.signTurn',
  'agreement.signed': 'notifications.kind.signed',
  'agreement.in_force': 'notifications.kind.inForce',
  'agreement.expiring': 'notifications.kind.expiring',
  'request.submitted': 'notifications.kind.submitted',
  'request.approved': 'notifications.kind.approved',
  'request.rejected': 'notifications.kind.rejected',
  'request.approval_overdue': 'notifications.kind.overdue',
  'vps.ready': 'notifications.kind.ready',
  'vps.failed': 'notifications.kind.failed',
  'vm.pic_needed': 'pic.kind',
  'lease.notice': 'leases.notificationKind',
  'backup.restore_test_failed': 'testRestores.kindFailed',
  'backup.restore_test_report': 'testRestores.kindReport',
};
