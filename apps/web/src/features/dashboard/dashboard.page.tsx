import { useI18n } from '../../i18n/i18n-context';
import { isConsoleUser, useMe } from '../../session/session-context';
import { Page } from '../../ui/page';
import { InstitutionsTable } from '../institutions/institutions-table';
import { QuotaPanel } from '../institutions/quota-panel';

/**
 * Home. Institution users: their institution's quota. Data-center staff: every institution.
 * Feature folders that land later (VMs, requests, agreements) add their own panels here.
 */
export function DashboardPage() {
  const { t } = useI18n();
  const me = useMe();
  if (isConsoleUser(me.roles)) {
    return (
      <Page title={t('dashboard.consoleTitle')}>
        <p className="muted">{t('dashboard.consoleIntro', { name: me.user.name })}</p>
        <InstitutionsTable />
      </Page>
    );
  }
  return (
    <Page title={t('dashboard.portalTitle')}>
      <p className="muted">{t('dashboard.portalIntro', { name: me.user.name, institution: me.institution?.name ?? '' })}</p>
      {me.institution ? <QuotaPanel institutionId={me.institution.id} /> : <p>{t('dashboard.noInstitution')}</p>}
    </Page>
  );
}
