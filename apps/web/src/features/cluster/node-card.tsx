import type { z } from 'zod';
import type { ZClusterNode } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';
import { QuotaBar } from '../../ui/quota-bar';
import { StatusBadge } from '../../ui/status-badge';

const GIB = 1024 ** 3;

/** One node: online/offline, CPU, memory and each storage as bars, and how many Betang VMs it carries. */
export function NodeCard({ node }: { node: z.infer<typeof ZClusterNode> }) {
  const { t, dateTime } = useI18n();
  const id = `node-${node.node}`;
  return (
    <section className="card node-card" aria-labelledby={id}>
      <h2 id={id}>
        <span>{node.node}</span>
        {node.online ? (
          <StatusBadge tone="good">{t('opCluster.online')}</StatusBadge>
        ) : (
          <StatusBadge tone="bad">{t('opCluster.offline')}</StatusBadge>
        )}
      </h2>
      <p className="small">{t('opCluster.betangVms', { count: node.betangVms })}</p>
      {!node.online ? (
        <p className="small">{t('opCluster.offlineNote')}</p>
      ) : !node.statsVisible ? (
        <p className="small muted">{t('opCluster.statsHidden')}</p>
      ) : null}
      {node.cpuUsage !== null && node.cpuCount !== null ? (
        <QuotaBar
          label={t('opCluster.cpu')}
          used={Number((node.cpuUsage * node.cpuCount).toFixed(1))}
          limit={node.cpuCount}
          unit={t('opCluster.cores')}
        />
      ) : null}
      {node.memTotalBytes !== null && node.memUsedBytes !== null ? (
        <QuotaBar label={t('opCluster.memory')} used={node.memUsedBytes / GIB} limit={node.memTotalBytes / GIB} unit={t('unit.gib')} />
      ) : null}
      {node.storages.map((storage) => (
        <div key={storage.storage}>
          {storage.totalBytes !== undefined && storage.usedBytes !== undefined ? (
            <QuotaBar
              label={t(storage.shared ? 'opCluster.storageShared' : 'opCluster.storage', { name: storage.storage })}
              used={storage.usedBytes / GIB}
              limit={storage.totalBytes / GIB}
              unit={t('unit.gib')}
            />
          ) : (
            <p className="small">{t('opCluster.storageNoStats', { name: storage.storage })}</p>
          )}
          {!storage.available ? <p className="small field-error">{t('opCluster.storageUnavailable', { name: storage.storage })}</p> : null}
        </div>
      ))}
      <p className="muted small">{t('opCluster.observedAt', { at: dateTime(node.observedAt) })}</p>
    </section>
  );
}
