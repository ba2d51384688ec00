import type { NotificationDto } from '@betang/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useApi } from '../../api/api-context';
import { listNotifications, markAllRead, markRead } from '../../api/notifications.api';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { ListSection } from '../../ui/list-section';
import { Page } from '../../ui/page';
import { UNREAD_KEY } from './notification-bell';

/** The notification centre: newest first, each opens what it is about and is then marked read. */
export function NotificationsPage() {
  const { t, locale, dateTime } = useI18n();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(undefined);
  const list = useInfiniteQuery({
    queryKey: ['notifications', 'list'],
    queryFn: ({ pageParam }) => listNotifications(api, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: UNREAD_KEY });
    await list.refetch();
  };
  async function read(ids: number[] | 'all') {
    setError(undefined);
    try {
      if (ids === 'all') await markAllRead(api);
      else await markRead(api, ids);
      await refresh();
    } catch (e) {
      setError(e);
    }
  }
  async function open(item: NotificationDto) {
    if (!item.readAt) await read([item.id]);
    if (item.link) void navigate(item.link);
  }

  return (
    <Page
      title={t('notifications.title')}
      actions={
        <>
          <button type="button" className="button" onClick={() => void read('all')}>
            {t('notifications.markAllRead')}
          </button>
          <Link className="button" to="/notifications/preferences">
            {t('notifications.preferencesLink')}
          </Link>
        </>
      }
    >
      <ListSection
        headingId="notification-list-title"
        title={t('notifications.listTitle')}
        loading={list.isFetching && !list.data}
        error={list.error ?? error}
        {...(list.hasNextPage ? { onMore: () => void list.fetchNextPage() } : {})}
      >
        {list.data && items.length === 0 ? <p>{t('notifications.empty')}</p> : null}
        <ul className="notification-list">
          {items.map((item) => (
            <li key={item.id} className={item.readAt ? 'notification read' : 'notification unread'} data-testid="notification">
              <h3>
                {item.readAt ? null : <span className="visually-hidden">{t('notifications.unreadMark')} </span>}
                {item.title[locale]}
              </h3>
              <p className="notification-body">{item.body[locale]}</p>
              <p className="muted small">{dateTime(item.createdAt)}</p>
              <div className="row-actions">
                {item.link ? (
                  <button type="button" className="button primary" onClick={() => void open(item)}>
                    {t('notifications.open')}
                  </button>
                ) : null}
                {item.readAt ? null : (
                  <button type="button" className="button" onClick={() => void read([item.id])}>
                    {t('notifications.markRead')}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      </ListSection>
    </Page>
  );
}
