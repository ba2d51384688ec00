import { listApplications } from '../../api/applications.api';
import { getCatalog } from '../../api/catalog.api';
import { getQuota } from '../../api/institutions.api';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useApi } from '../../api/api-context';
import { queryKeys } from '../../api/query-keys';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { useMe } from '../../session/session-context';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { RequestForm } from './request-form';
import { SubmitGuidance } from './submit-guidance';
import { precheckRequest } from '../../api/vps-requests.api';

/** New VPS request: loads the inventory, the catalog and the quota, then shows the form. */
export function NewRequestPage() {
  const { t } = useI18n();
  const me = useMe();
  const navigate = useNavigate();
  const api = useApi();
  const institutionId = me.institution?.id ?? '';
  const data = useQuery({
    queryKey: queryKeys.newRequestData(institutionId),
    queryFn: async () => {
      const [applications, catalog, quota] = await Promise.all([listApplications(api), getCatalog(api), getQuota(api, institutionId)]);
      return { applications: applications.items.filter((a) => a.status !== 'retired'), catalog, quota };
    },
  });
  const noForm = data.data !== undefined && (data.data.applications.length === 0 || data.data.catalog.templates.length === 0);
  // Without a form (no application or no template yet) the agreement's next step is still said.
  const blank = useQuery({
    queryKey: queryKeys.requestPrecheck({}),
    queryFn: () => precheckRequest(api, {}),
    enabled: noForm,
  });
  return (
    <Page title={t('requests.newTitle')}>
      <p className="muted">{t('requests.newIntro')}</p>
      {data.isFetching && !data.data ? <Loading /> : null}
      <ErrorAlert error={data.error} />
      {noForm && blank.data && blank.data.blockers.length > 0 ? <SubmitGuidance precheck={blank.data} /> : null}
      {data.data && data.data.applications.length === 0 ? (
        <section className="card">
          <p>{t('requests.noApplications')}</p>
          <Link to="/applications">{t('requests.applicationManage')}</Link>
        </section>
      ) : null}
      {data.data && data.data.catalog.templates.length === 0 ? <p className="card">{t('requests.noTemplates')}</p> : null}
      {data.data && data.data.applications.length > 0 && data.data.catalog.templates.length > 0 ? (
        <RequestForm
          me={me}
          applications={data.data.applications}
          catalog={data.data.catalog}
          quota={data.data.quota}
          onSubmitted={(request) => void navigate(`/vps-requests/${request.id}`)}
        />
      ) : null}
    </Page>
  );
}
