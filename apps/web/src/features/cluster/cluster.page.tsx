import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { clusterQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { NodeCard } from './node-card';
import { SetupCheckPanel } from './setup-check';
import '../operator-queue/console.css';

/** The worker refreshes the snapshot every 30 s; asking more often shows nothing new. */
const REFRESH_MS = 30_000;

/** Cluster nodes from the worker's last snapshot (the API never calls Proxmox for this page). */
export function ClusterPage() {
  const { t, dateTime } = useI18n();
  const api = useApi();
  const cluster = useQuery({ ...clusterQuery(api), refetchInterval: REFRESH_MS });
  const data = cluster.data;
  const online = data?.nodes.filter((n) => n.online).length ?? 0;
  return (
    <Page title={t('opCluster.title')}>
      <p className="muted">
        {data?.observedAt ? t('opCluster.snapshotAt', { at: dateTime(data.observedAt) }) : t('opCluster.intro')}{' '}
        <Link to="/operator/reconciliation">{t('opCluster.toFindings')}</Link>
      </p>
      {data?.stale ? (
        <div className="alert alert-warn" role="note">
          {data.observedAt ? t('opCluster.stale', { at: dateTime(data.observedAt) }) : t('opCluster.noSnapshot')}
        </div>
      ) : null}
      <ErrorAlert error={cluster.error} />
      {data ? <SetupCheckPanel setup={data.setup} /> : null}
      {cluster.isFetching && !data ? <Loading /> : null}
      {data && data.nodes.length > 0 ? (
        <>
          <p>{t('opCluster.summary', { online, total: data.nodes.length })}</p>
          <div className="nodes">
            {data.nodes.map((node) => (
              <NodeCard key={node.node} node={node} />
            ))}
          </div>
        </>
      ) : null}
    </Page>
  );
}
