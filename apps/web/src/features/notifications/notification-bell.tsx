import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useApi } from '../../api/api-context';
import { openUnreadEvents, unreadCount } from '../../api/notifications.api';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';

/** Query key of the unread count (the list page refreshes it after marking read). */
export const UNREAD_KEY = ['notifications', 'unread'] as const;

/** The bell in the header: a link to the notification centre with the live unread count. */
export function NotificationBell() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const count = useQuery({ queryKey: UNREAD_KEY, queryFn: () => unreadCount(api) });
  useEffect(
    () =>
      openUnreadEvents((unread) => {
        queryClient.setQueryData(UNREAD_KEY, (old: { unread: number; latestId: number } | undefined) => ({
          latestId: old?.latestId ?? 0,
          unread,
        }));
        void queryClient.invalidateQueries({ queryKey: ['notifications', 'list'] });
      }),
    [queryClient],
  );
  const unread = count.data?.unread ?? 0;
  return (
    <Link to="/notifications" className="button notification-bell" aria-label={t('notifications.bellLabel', { count: unread })}>
      <span aria-hidden="true">🔔</span>
      {unread > 0 ? (
        <span className="badge" data-testid="unread-count">
          {unread > 99 ? '99+' : unread}
        </span>
      ) : null}
    </Link>
  );
}
