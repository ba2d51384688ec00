import type { OperatorQueueDto } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';
import { useRequestFacts } from './request-facts';

type Change = NonNullable<OperatorQueueDto['pendingApprovals'][number]['change']>;

/** A pending change as operators decide it: the VM's size now → the size asked for, the open ports before → after, and from when. */
export function ChangeSummary({ change }: { change: Change }) {
  const { t, dateTime } = useI18n();
  const facts = useRequestFacts();
  const ports = (list: readonly number[]) => ['22', ...list.map(String)].join(', ');
  const portsChange = ports(change.before.ports) !== ports(change.after.ports);
  return (
    <span className="block small change-summary">
      <span className="block">
        {t('opQueue.changeBeforeAfter', { before: facts.sizeShort(change.before), after: facts.sizeShort(change.after) })}
      </span>
      {portsChange ? (
        <span className="block">{t('opQueue.changePorts', { before: ports(change.before.ports), after: ports(change.after.ports) })}</span>
      ) : null}
      {change.applyAt ? <span className="block muted">{t('opQueue.changeAt', { at: dateTime(change.applyAt) })}</span> : null}
    </span>
  );
}
