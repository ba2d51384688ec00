import { Role } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';
import { isConsoleUser, useMe } from '../../session/session-context';
import { Page } from '../../ui/page';
import { OperatorCockpit } from '../cockpit/operator-cockpit';
import { InstitutionsTable } from '../institutions/institutions-table';
import { QuotaPanel } from '../institutions/quota-panel';
import { PicPanel } from '../pic/pic-panel';
import { AgreementPanel, InFlightPanel, VmsPanel } from './portal-panels';

/**
 * Home. Institution users: VMs, quota, agreement and requests in flight, all from the API.
 * Data-center staff: the cockpit (counts linking to their lists, capacity per node), every
 * institution (and, for the data-center head, the agreement to sign).
 */
export function DashboardPage() {
  const { t } = useI18n();
  const me = useMe();
  if (isConsoleUser(me.roles)) {
    return (
      <Page title={t('dashboard.consoleTitle')}>
        <p className="muted">{t('dashboard.consoleIntro', { name: me.user.name })}</p>
        {me.roles.includes(Role.DcHead) ? <AgreementPanel me={me} status="awaiting_dc_head" /> : null}
        <OperatorCockpit />
        <InstitutionsTable />
      </Page>
    );
  }
  return (
    <Page title={t('dashboard.portalTitle')}>
      <p className="muted">{t('dashboard.portalIntro', { name: me.user.name, institution: me.institution?.name ?? '' })}</p>
      {me.institution ? (
        <div className="panels">
          <VmsPanel />
          <QuotaPanel institutionId={me.institution.id} />
          <AgreementPanel me={me} />
          <InFlightPanel />
          {me.roles.includes(Role.InstitutionHead) ? <PicPanel institutionId={me.institution.id} /> : null}
        </div>
      ) : (
        <p>{t('dashboard.noInstitution')}</p>
      )}
    </Page>
  );
}
