import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { queryKeys } from '../../api/query-keys';
import { getRequestQueuePosition } from '../../api/vps-requests.api';
import { useI18n } from '../../i18n/use-i18n';

/** Others' decisions move the queue without an event on this request: ask again now and then. */
const REFRESH_MS = 60_000;

/**
 * For a request waiting for a decision: its place in the approval queue and the time by which the
 * approval service standard says it should be decided (or that the standard has passed).
 */
export function QueuePosition({ requestId, now }: { requestId: string; now: number }) {
  const { t, number, dateTime } = useI18n();
  const api = useApi();
  const queue = useQuery({
    queryKey: queryKeys.requestQueue(requestId),
    queryFn: () => getRequestQueuePosition(api, requestId),
    refetchInterval: REFRESH_MS,
  });
  if (!queue.data || queue.data.position === null) return null;
  const { position, waiting, approvalHours, dueAt } = queue.data;
  const late = Date.parse(dueAt) < now;
  return (
    <p className="queue-position" data-testid="queue-position">
      <span className="block">{t('guidance.queuePosition', { position: number(position, 0), waiting: number(waiting, 0) })}</span>
      <span className={late ? 'block over' : 'block'}>
        {t(late ? 'guidance.queueLate' : 'guidance.queueDue', { hours: number(approvalHours), due: dateTime(dueAt) })}
      </span>
    </p>
  );
}
