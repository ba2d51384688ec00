import type { OperatorDashboardDto } from '@betang/core';
import type { NavBadge } from '../feature';
import { useI18n } from '../../i18n/use-i18n';
import './cockpit.css';

/** The dashboard count behind each navigation badge. Pure. */
export function badgeCount(badge: NavBadge, d: OperatorDashboardDto): number {
  switch (badge) {
    case 'approvals':
      return d.approvals.waiting;
    case 'overdue':
      return d.approvals.overdue;
    case 'provisioning':
      return d.provisioning.running;
    case 'failed':
      return d.failed.needingAction;
    case 'agreementsAwaiting':
      return d.agreements.awaitingDcHead;
    case 'agreementsExpiring':
      return d.agreements.expiringSoon;
    case 'findings':
      return d.findings.open;
  }
}

// Counts that mean something is wrong or late get the warning tone; the words say it too.
const ALARM: ReadonlySet<NavBadge> = new Set(['overdue', 'failed', 'agreementsExpiring', 'findings']);

/**
 * The badges of one navigation entry: the number shown, its meaning in words for screen readers
 * (so the link reads "Antrean persetujuan, 3 menunggu persetujuan"). Nothing for a zero count.
 */
export function NavBadges({ badges, dashboard }: { badges: readonly NavBadge[]; dashboard: OperatorDashboardDto | undefined }) {
  const { t } = useI18n();
  if (!dashboard) return null;
  return (
    <>
      {badges.map((badge) => {
        const count = badgeCount(badge, dashboard);
        if (count === 0) return null;
        return (
          <span key={badge} className={ALARM.has(badge) ? 'nav-badge nav-badge-alarm' : 'nav-badge'} data-badge={badge}>
            <span aria-hidden="true">{count}</span>
            <span className="visually-hidden">{`, ${t(`cockpit.badge.${badge}`, { count })}`}</span>
          </span>
        );
      })}
    </>
  );
}
